module github.com/amysql/amysql

go 1.24.0

require (
	filippo.io/edwards25519 v1.2.0
	github.com/jackc/puddle/v2 v2.2.3
)

require golang.org/x/sync v0.1.0 // indirect
