package actor_test

import (
	"context"
	"fmt"
	"log"

	"github.com/amysql/amysql/actor"
)

func ExampleConnect() {
	ctx := context.Background()
	conn, err := actor.Connect(ctx, actor.Config{Host: "127.0.0.1", Port: 3306, User: "root", DB: "test"})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.EnsureClosed(ctx)

	cur := conn.Cursor()
	if _, err := cur.Execute(ctx, "SELECT 42, ?", "hello"); err != nil {
		log.Fatal(err)
	}
	rows, err := cur.FetchAll(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rows) // [[42 hello]]
}

func ExampleCursor_Next() {
	ctx := context.Background()
	cfg, err := actor.ParseDSN("root@tcp(127.0.0.1:3306)/test")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := actor.Connect(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	cur := conn.Cursor(actor.SSCursor) // stream rows instead of buffering them
	if _, err := cur.Execute(ctx, "SELECT seq, seq * seq FROM seq_1_to_5 WHERE seq IN ?", []int{2, 3}); err != nil {
		log.Fatal(err)
	}
	for cur.Next(ctx) {
		var n, sq int64
		if err := cur.Scan(&n, &sq); err != nil {
			log.Fatal(err)
		}
		fmt.Println(n, sq)
	}
	if err := cur.Err(); err != nil {
		log.Fatal(err)
	}
}

func ExampleCursor_FetchAllDict() {
	ctx := context.Background()
	conn, err := actor.Connect(ctx, actor.Config{User: "root", DB: "test"})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	cur := conn.Cursor(actor.DictCursor)
	cur.Execute(ctx, "SELECT 1 AS id, 'ann' AS name")
	rows, _ := cur.FetchAllDict(ctx)
	fmt.Println(rows[0]["name"]) // ann
}

// A single-connection client on a machine with idle CPUs can trade some
// of that idle CPU for latency: reads poll the socket for up to 50µs
// before they sleep.
func ExampleConfig_spinWait() {
	cfg, err := actor.ParseDSN("root@tcp(127.0.0.1:3306)/test?spin_wait=50us")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.SpinWait)

	_, err = actor.ParseDSN("root@tcp(127.0.0.1:3306)/test?spin_wait=5ms")
	fmt.Println(err)
	// Output:
	// 50µs
	// amysql: invalid DSN: spin_wait: duration "5ms" out of range (want 0 to 1ms)
}
