package stdlib_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/stdlib"
)

func Example() {
	db, err := sql.Open("amysql", "root@tcp(127.0.0.1:3306)/test")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT ? + 1", 41).Scan(&n); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n) // 42
}

func ExampleNewConnector() {
	cfg, err := actor.ParseDSN("root@tcp(127.0.0.1:3306)/test")
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(stdlib.NewConnector(cfg, stdlib.Options{BinaryProtocol: true}))
	defer db.Close()
	var version string
	if err := db.QueryRowContext(context.Background(), "SELECT VERSION()").Scan(&version); err != nil {
		log.Fatal(err)
	}
	fmt.Println(version)
}
