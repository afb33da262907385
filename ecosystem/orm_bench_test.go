package ecosystem

// GORM and sqlx over amysql's driver and over go-sql-driver, in the modes
// of bench_test.go: text (GORM's and sqlx's default calls; amysql
// interpolates, go-sql-driver with interpolateParams=true) and prepared
// (GORM's PrepareStmt, sqlx's Preparex: statements prepared once per
// connection and run in the binary protocol).

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// speedRow is a row of amysql_speed.
type speedRow struct {
	ID  int64  `db:"id"`
	K   int64  `db:"k"`
	C   string `db:"c"`
	Pad string `db:"pad"`
}

func (speedRow) TableName() string { return "amysql_speed" }

// createdRow is a row GORM's Create inserts.
type createdRow struct {
	ID  int64 `gorm:"primaryKey;autoIncrement"`
	K   int64
	C   string `gorm:"size:120"`
	Pad string `gorm:"size:60"`
}

func (createdRow) TableName() string { return "amysql_gorm_create" }

// openGORM opens GORM on system's database/sql handle, one connection.
func openGORM(b *testing.B, system string) *gorm.DB {
	db := openSQL(b, system, 1)
	g, err := gorm.Open(gormmysql.New(gormmysql.Config{Conn: db}), &gorm.Config{
		Logger:      logger.Discard,
		PrepareStmt: prepared(system),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := g.AutoMigrate(&createdRow{}); err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkGORM: First by primary key, Find of 100 rows and Create of one
// row (GORM's default transaction: BEGIN, INSERT, COMMIT), one connection.
func BenchmarkGORM(b *testing.B) {
	b.Run("First", func(b *testing.B) {
		for _, system := range sqlSystems {
			b.Run(system, func(b *testing.B) {
				g := openGORM(b, system)
				sequential(b, func(i int) error {
					var r speedRow
					if err := g.First(&r, i%100000+1).Error; err != nil {
						return err
					}
					if r.ID != int64(i%100000+1) {
						return fmt.Errorf("First(%d) = row %d", i%100000+1, r.ID)
					}
					return nil
				})
			})
		}
	})
	b.Run("Find100", func(b *testing.B) {
		for _, system := range sqlSystems {
			b.Run(system, func(b *testing.B) {
				g := openGORM(b, system)
				var rs []speedRow
				sequential(b, func(i int) error {
					start := i%99900 + 1
					rs = rs[:0]
					if err := g.Where("id BETWEEN ? AND ?", start, start+99).Find(&rs).Error; err != nil {
						return err
					}
					if len(rs) != 100 {
						return fmt.Errorf("%d rows, want 100", len(rs))
					}
					return nil
				})
			})
		}
	})
	b.Run("Create", func(b *testing.B) {
		for _, system := range sqlSystems {
			b.Run(system, func(b *testing.B) {
				g := openGORM(b, system)
				sequential(b, func(i int) error {
					r := createdRow{K: int64(i), C: "created", Pad: "pad"}
					if err := g.Create(&r).Error; err != nil {
						return err
					}
					if r.ID == 0 {
						return fmt.Errorf("Create left the id unset")
					}
					return nil
				})
			})
		}
	})
}

// BenchmarkSQLX: Get of one row by primary key and Select of 100 rows into
// structs, one connection.
func BenchmarkSQLX(b *testing.B) {
	const getSQL = "SELECT id, k, c, pad FROM amysql_speed WHERE id = ?"
	open := func(b *testing.B, system string) *sqlx.DB { return sqlx.NewDb(openSQL(b, system, 1), "mysql") }
	// get and sel run a statement as system's mode does: on the *sqlx.DB,
	// or on a *sqlx.Stmt prepared once.
	get := func(b *testing.B, db *sqlx.DB, system, q string) func(ctx context.Context, dest any, args ...any) error {
		if !prepared(system) {
			return func(ctx context.Context, dest any, args ...any) error { return db.GetContext(ctx, dest, q, args...) }
		}
		st, err := db.Preparex(q)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st.GetContext
	}
	sel := func(b *testing.B, db *sqlx.DB, system, q string) func(ctx context.Context, dest any, args ...any) error {
		if !prepared(system) {
			return func(ctx context.Context, dest any, args ...any) error { return db.SelectContext(ctx, dest, q, args...) }
		}
		st, err := db.Preparex(q)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st.SelectContext
	}
	b.Run("Get", func(b *testing.B) {
		for _, system := range sqlSystems {
			b.Run(system, func(b *testing.B) {
				db := open(b, system)
				run := get(b, db, system, getSQL)
				ctx := context.Background()
				sequential(b, func(i int) error {
					var r speedRow
					if err := run(ctx, &r, i%100000+1); err != nil {
						return err
					}
					if r.ID != int64(i%100000+1) {
						return fmt.Errorf("Get(%d) = row %d", i%100000+1, r.ID)
					}
					return nil
				})
			})
		}
	})
	b.Run("Select100", func(b *testing.B) {
		for _, system := range sqlSystems {
			b.Run(system, func(b *testing.B) {
				db := open(b, system)
				run := sel(b, db, system, rangeSQL)
				ctx := context.Background()
				var rs []speedRow
				sequential(b, func(i int) error {
					start := i%99900 + 1
					rs = rs[:0]
					if err := run(ctx, &rs, start, start+99); err != nil {
						return err
					}
					if len(rs) != 100 {
						return fmt.Errorf("%d rows, want 100", len(rs))
					}
					return nil
				})
			})
		}
	})
}
