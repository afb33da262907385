// Package interop tests amysql against independent implementations of the
// MySQL protocol that are too heavy to be dependencies of the library
// itself. go-mysql-org/go-mysql's server package (pinned in this module's
// go.mod, kept out of the root module) stands in for MySQL 8's
// caching_sha2_password and sha256_password authentication, which MariaDB
// does not offer: fast path and full authentication, RSA key retrieval,
// a pinned key, TLS, auth switches and refusals, each checked on the wire.
//
// The package is its own module, joined to the root by go.work. From the
// repository root, ./... does not reach it; run
//
//	go test -race ./interop/...
package interop
