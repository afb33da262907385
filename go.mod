module github.com/amysql/amysql

go 1.22
