// Package ecosystem proves amysql's database/sql driver under the libraries
// Go services use on top of database/sql — sqlx, GORM and goose — and
// benchmarks it beside go-sql-driver/mysql. It is its own module so none of
// these reach the library's dependencies.
package ecosystem
