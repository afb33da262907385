package stdlib_test

import (
	"testing"

	"github.com/amysql/amysql/internal/testserver"
)

// TestMain gives the package's tests a scratch database of their own on
// the AMYSQL_TEST_DSN server, dropped when they end.
func TestMain(m *testing.M) { testserver.Main(m) }
