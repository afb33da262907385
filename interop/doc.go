// Package interop tests amysql against independent implementations of the
// MySQL protocol that are too heavy to be dependencies of the library
// itself: go-mysql-org/go-mysql's server package stands in for MySQL 8's
// caching_sha2_password and sha256_password authentication, which MariaDB
// does not offer.
package interop
