package ecosystem

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/amysql/amysql/internal/testserver"
	_ "github.com/amysql/amysql/stdlib"
)

func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("amysql", testserver.FromEnv(t).DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type person struct {
	ID    int64          `db:"id"`
	Name  string         `db:"name"`
	Email sql.NullString `db:"email"`
	Born  time.Time      `db:"born"`
}

func TestSQLX(t *testing.T) {
	db := sqlx.NewDb(openDB(t), "mysql")
	ctx := context.Background()
	db.MustExecContext(ctx, "DROP TABLE IF EXISTS amysql_sqlx_people")
	db.MustExecContext(ctx, `CREATE TABLE amysql_sqlx_people (id BIGINT AUTO_INCREMENT PRIMARY KEY,
		name VARCHAR(50) NOT NULL, email VARCHAR(80) NULL, born DATE NOT NULL)`)
	t.Cleanup(func() { db.Exec("DROP TABLE amysql_sqlx_people") })
	people := []person{
		{Name: "Ada", Email: sql.NullString{String: "ada@example.com", Valid: true}, Born: time.Date(1815, 12, 10, 0, 0, 0, 0, time.UTC)},
		{Name: "Grace O'Hara", Born: time.Date(1906, 12, 9, 0, 0, 0, 0, time.UTC)},
	}
	for _, p := range people {
		if _, err := db.NamedExecContext(ctx, "INSERT INTO amysql_sqlx_people (name, email, born) VALUES (:name, :email, :born)", p); err != nil {
			t.Fatal(err)
		}
	}
	var got []person
	if err := db.SelectContext(ctx, &got, "SELECT * FROM amysql_sqlx_people ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "Ada" || !got[0].Email.Valid || got[1].Email.Valid || !got[1].Born.Equal(people[1].Born) {
		t.Errorf("Select = %+v", got)
	}
	var one person
	q, args, err := sqlx.In("SELECT * FROM amysql_sqlx_people WHERE name IN (?)", []string{"Grace O'Hara"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &one, db.Rebind(q), args...); err != nil || one.Name != "Grace O'Hara" {
		t.Errorf("Get with sqlx.In = %+v, %v", one, err)
	}
}

type author struct {
	ID    uint
	Name  string `gorm:"size:64;uniqueIndex"`
	Books []book
}

type book struct {
	ID       uint
	Title    string
	Price    float64
	AuthorID uint
	Created  time.Time
}

func TestGORM(t *testing.T) {
	sqlDB := openDB(t)
	db, err := gorm.Open(gormmysql.New(gormmysql.Config{Conn: sqlDB}), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	db.Migrator().DropTable(&book{}, &author{})
	if err := db.AutoMigrate(&author{}, &book{}); err != nil {
		t.Fatalf("AutoMigrate: %v", err)
	}
	t.Cleanup(func() { db.Migrator().DropTable(&book{}, &author{}) })
	a := author{Name: "Le Guin", Books: []book{{Title: "The Dispossessed", Price: 9.5, Created: time.Now()}, {Title: "Lathe", Price: 7, Created: time.Now()}}}
	if err := db.Create(&a).Error; err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || a.Books[1].ID == 0 {
		t.Errorf("ids not filled in: %+v", a)
	}
	// A transaction that fails leaves nothing behind.
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&author{Name: "Ghost"}).Error; err != nil {
			return err
		}
		return errors.New("abort")
	})
	if err == nil {
		t.Error("failed transaction reported success")
	}
	var count int64
	db.Model(&author{}).Where("name = ?", "Ghost").Count(&count)
	if count != 0 {
		t.Error("rolled back author is visible")
	}
	if err := db.Model(&book{}).Where("title = ?", "Lathe").Update("price", 8.25).Error; err != nil {
		t.Fatal(err)
	}
	var loaded author
	if err := db.Preload("Books").First(&loaded, "name = ?", "Le Guin").Error; err != nil {
		t.Fatal(err)
	}
	if len(loaded.Books) != 2 || loaded.Books[1].Price != 8.25 {
		t.Errorf("preloaded %+v", loaded)
	}
	if err := db.Delete(&book{}, loaded.Books[0].ID).Error; err != nil {
		t.Fatal(err)
	}
	db.Model(&book{}).Count(&count)
	if count != 1 {
		t.Errorf("%d books after delete, want 1", count)
	}
}

func TestGooseMigrations(t *testing.T) {
	db := openDB(t)
	migrations := fstest.MapFS{
		"migrations/00001_create.sql": {Data: []byte(`-- +goose Up
CREATE TABLE amysql_goose_items (id INT PRIMARY KEY, label VARCHAR(20));
-- +goose Down
DROP TABLE amysql_goose_items;
`)},
		"migrations/00002_seed.sql": {Data: []byte(`-- +goose Up
INSERT INTO amysql_goose_items VALUES (1, 'one'), (2, 'two');
-- +goose Down
DELETE FROM amysql_goose_items;
`)},
	}
	db.Exec("DROP TABLE IF EXISTS amysql_goose_items")
	db.Exec("DROP TABLE IF EXISTS amysql_goose_version")
	t.Cleanup(func() {
		db.Exec("DROP TABLE IF EXISTS amysql_goose_items")
		db.Exec("DROP TABLE IF EXISTS amysql_goose_version")
	})
	goose.SetBaseFS(migrations)
	goose.SetTableName("amysql_goose_version")
	goose.SetLogger(goose.NopLogger())
	if err := goose.SetDialect("mysql"); err != nil {
		t.Fatal(err)
	}
	if err := goose.Up(db, "migrations"); err != nil {
		t.Fatalf("goose up: %v", err)
	}
	v, err := goose.GetDBVersion(db)
	if err != nil || v != 2 {
		t.Errorf("version = %d, %v; want 2", v, err)
	}
	var n int
	db.QueryRow("SELECT COUNT(*) FROM amysql_goose_items").Scan(&n)
	if n != 2 {
		t.Errorf("%d seeded rows", n)
	}
	if err := goose.Down(db, "migrations"); err != nil {
		t.Fatal(err)
	}
	db.QueryRow("SELECT COUNT(*) FROM amysql_goose_items").Scan(&n)
	if n != 0 {
		t.Errorf("%d rows after down", n)
	}
}
