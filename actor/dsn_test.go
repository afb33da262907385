package actor_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/proto"
)

// dsnFields are the settings a DSN test compares.
type dsnFields struct {
	User, Password, Host string
	Port                 int
	Hosts                []string
	UnixSocket, DB       string
}

func fieldsOf(c actor.Config) dsnFields {
	return dsnFields{c.User, c.Password, c.Host, c.Port, c.Hosts, c.UnixSocket, c.DB}
}

func TestParseDSNReadsEveryAddressForm(t *testing.T) {
	tests := []struct {
		name, dsn string
		want      dsnFields
	}{
		{"tcp", "root@tcp(127.0.0.1:3306)/test", dsnFields{User: "root", Host: "127.0.0.1", Port: 3306, DB: "test"}},
		{"password with @ : / and ?", "u:p@ss:w/rd?x@tcp([::1]:3307)/db?charset=latin1",
			dsnFields{User: "u", Password: "p@ss:w/rd?x", Host: "::1", Port: 3307, DB: "db"}},
		{"password containing an address", "u:a@tcp(x)/y@tcp(h:1)/d", dsnFields{User: "u", Password: "a@tcp(x)/y", Host: "h", Port: 1, DB: "d"}},
		{"host without port", "u@tcp(db.internal)/d", dsnFields{User: "u", Host: "db.internal", DB: "d"}},
		{"bare IPv6", "u@tcp(fe80::1)/d", dsnFields{User: "u", Host: "fe80::1", DB: "d"}},
		{"unix socket", "u@unix(/run/mysqld/mysqld.sock)/", dsnFields{User: "u", UnixSocket: "/run/mysqld/mysqld.sock"}},
		{"no address", "u:p@/d", dsnFields{User: "u", Password: "p", DB: "d"}},
		{"no address, password with @/", "u:a@/b@/d?charset=utf8mb4", dsnFields{User: "u", Password: "a@/b", DB: "d"}},
		{"nothing but a database", "/d", dsnFields{DB: "d"}},
		{"address without network", "u@(h:2)/d", dsnFields{User: "u", Host: "h", Port: 2, DB: "d"}},
		{"several hosts", "u:p@tcp(h1:3306,h2:3307,[::1],h3)/d",
			dsnFields{User: "u", Password: "p", Hosts: []string{"h1:3306", "h2:3307", "[::1]:3306", "h3:3306"}, DB: "d"}},
		{"parameter values with / and @", "u@tcp(h:1)/d?ssl_ca=/etc/ssl/ca.pem&init_command=SET%20@a%3D1", dsnFields{User: "u", Host: "h", Port: 1, DB: "d"}},
		{"percent-encoded database", "u@tcp(h:1)/my%2Fdb", dsnFields{User: "u", Host: "h", Port: 1, DB: "my/db"}},
		{"URL", "mysql://u:p%40@db.example:3306/app?multi_statements=true", dsnFields{User: "u", Password: "p@", Host: "db.example", Port: 3306, DB: "app"}},
		{"URL, mariadb scheme", "mariadb://u@h/app", dsnFields{User: "u", Host: "h", DB: "app"}},
		{"URL with several hosts", "mysql://u:p@h1:3306,h2:3306/app", dsnFields{User: "u", Password: "p", Hosts: []string{"h1:3306", "h2:3306"}, DB: "app"}},
		{"URL over a unix socket", "mysql://u@/app?unix_socket=%2Ftmp%2Fs.sock", dsnFields{User: "u", UnixSocket: "/tmp/s.sock", DB: "app"}},
		{"URL, unencoded @ in the password", "mysql://u:p@ss@h/app", dsnFields{User: "u", Password: "p@ss", Host: "h", DB: "app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := actor.ParseDSN(tt.dsn)
			if err != nil {
				t.Fatalf("ParseDSN(%q): %v", tt.dsn, err)
			}
			if got := fieldsOf(cfg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseDSN(%q)\n got %+v\nwant %+v", tt.dsn, got, tt.want)
			}
			again, err := actor.ParseDSN(cfg.FormatDSN())
			if err != nil {
				t.Fatalf("ParseDSN(FormatDSN() = %q): %v", cfg.FormatDSN(), err)
			}
			if !reflect.DeepEqual(fieldsOf(again), fieldsOf(cfg)) || again.FormatDSN() != cfg.FormatDSN() {
				t.Errorf("round trip through %q gave %+v", cfg.FormatDSN(), fieldsOf(again))
			}
		})
	}
}

func TestParseDSNErrorsSayWhatIsWrong(t *testing.T) {
	tests := []struct{ dsn, want string }{
		{"u:secretpw@127.0.0.1:3306/db", `the address "127.0.0.1:3306" needs a network: write tcp(127.0.0.1:3306)`},
		{"u:secretpw@udp(h:1)/db", `unknown network "udp"`},
		{"u:secretpw@bogus(x)/d", `unknown network "bogus"`},
		{"postgres://u:secretpw@h:5432/db", "postgres:// is not a MySQL DSN"},
		{"nodb", "no '/' before the database name"},
		{"u:secretpw@tcp(h:99999)/d", `bad port "99999"`},
		{"u:secretpw@tcp(h/d", "unclosed '('"},
		{"u:secretpw@tcp(h:1)", "missing '/' after the address"},
		{"u:secretpw@tcp(h1,,h2)/d", "an empty host"},
		{"u:secretpw@tcp(h)/a/b", "the database name contains '/'"},
		{"u:secretpw@tcp(h)/d?nope=1", `unknown parameter "nope"`},
		{"u:secretpw@tcp(h)/d?timeout=1s&timeout=2s", `parameter "timeout" given twice`},
		{"u:secretpw@tcp(h)/d?timeout=1s&connect_timeout=2s", `parameters "timeout" and "connect_timeout" set the same thing`},
		{"u:secretpw@tcp(h)/d?charset=", `parameter "charset" has no value`},
		{"u:secretpw@tcp(h)/d?charset", `parameter "charset" has no value`},
		{"u:secretpw@tcp(h)/d?connect_timeout=soon", `connect_timeout: bad duration "soon"`},
		{"u:secretpw@tcp(h)/d?connect_timeout=-1s", "out of range"},
		{"u:secretpw@tcp(h)/d?ssl_mode=maybe", `bad TLS mode "maybe"`},
		{"u:secretpw@tcp(h)/d?tls=custom", "set Config.TLS instead"},
		{"u:secretpw@tcp(h)/d?spin_wait=2ms", "out of range"},
		{"u:secretpw@tcp(h)/d?echo=maybe", `bad boolean "maybe"`},
		{"u:secretpw@tcp(h)/d?allowOldPasswords=true", "pre-4.1"},
		{"u:secretpw@tcp(h)/d?timeTruncate=1s", "truncate time.Time arguments"},
		{"u:secretpw@tcp(h)/d?charset=nope1,nope2", "none of the charsets"},
		{"u:secretpw@unix(/s)/d?unix_socket=/t", "unix_socket given besides"},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			_, err := actor.ParseDSN(tt.dsn)
			if !errors.Is(err, actor.ErrDSN) {
				t.Fatalf("ParseDSN = %v, want ErrDSN", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secretpw") {
				t.Errorf("error shows the password: %v", err)
			}
			if strings.Count(err.Error(), "amysql:") != 1 {
				t.Errorf("error %q does not carry its prefix exactly once", err)
			}
		})
	}
}

func TestParseDSNTakesGoSQLDriverParameters(t *testing.T) {
	base := "u:p@tcp(h:1)/d?"
	tests := []struct {
		params string
		check  func(actor.Config) bool
	}{
		{"charset=utf8mb4&loc=Local", func(c actor.Config) bool { return c.Charset == "utf8mb4" && c.Loc == time.Local }},
		{"charset=utf8mb4,utf8", func(c actor.Config) bool { return c.Charset == "utf8mb4" }},
		{"charset=nosuch,latin1", func(c actor.Config) bool { return c.Charset == "latin1" }},
		{"timeout=5s&readTimeout=1s&writeTimeout=2s", func(c actor.Config) bool {
			return c.ConnectTimeout == 5*time.Second && c.ReadTimeout == time.Second && c.WriteTimeout == 2*time.Second
		}},
		{"timeout=1.5", func(c actor.Config) bool { return c.ConnectTimeout == 1500*time.Millisecond }},
		{"multiStatements=true&maxAllowedPacket=1048576", func(c actor.Config) bool { return c.MultiStatements && c.MaxAllowedPacket == 1<<20 }},
		{"clientFoundRows=true", func(c actor.Config) bool { return c.ClientFlag&proto.ClientFoundRows != 0 }},
		{"rejectReadOnly=true", func(c actor.Config) bool { return c.RejectReadOnly }},
		{"allowNativePasswords=false", func(c actor.Config) bool { return c.DenyNativePasswords }},
		{"allowNativePasswords=true", func(c actor.Config) bool { return !c.DenyNativePasswords }},
		{"allowCleartextPasswords=1&allowPublicKeyRetrieval=TRUE", func(c actor.Config) bool {
			return c.AllowCleartextPasswords && c.AllowPublicKeyRetrieval
		}},
		{"tls=true", func(c actor.Config) bool { return c.SSLMode == actor.SSLVerifyIdentity }},
		{"tls=skip-verify", func(c actor.Config) bool { return c.SSLMode == actor.SSLRequired }},
		{"tls=preferred", func(c actor.Config) bool { return c.SSLMode == actor.SSLPreferred }},
		{"tls=false", func(c actor.Config) bool { return c.SSLMode == actor.SSLDisabled }},
		{"time_zone=%27%2B00%3A00%27&sql_mode=ANSI", func(c actor.Config) bool { return c.TimeZone == "+00:00" && c.SQLMode == "ANSI" }},
		{"connectionAttributes=app:x", func(c actor.Config) bool { return c.ConnectAttrs["app"] == "x" }},
		{"allowAllFiles=true", func(c actor.Config) bool {
			return c.LocalInfile && reflect.DeepEqual(c.LocalInfilePaths, []string{"/"})
		}},
		{"checkConnLiveness=false", func(c actor.Config) bool { return true }},
		{"collation=utf8mb4_unicode_ci&compress=true", func(c actor.Config) bool { return c.Collation == "utf8mb4_unicode_ci" && c.Compress }},
	}
	for _, tt := range tests {
		t.Run(tt.params, func(t *testing.T) {
			cfg, err := actor.ParseDSN(base + tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Errorf("%s was not applied: %+v", tt.params, cfg)
			}
			again, err := actor.ParseDSN(cfg.FormatDSN())
			if err != nil || again.FormatDSN() != cfg.FormatDSN() || !tt.check(again) {
				t.Errorf("round trip through %q: %v", cfg.FormatDSN(), err)
			}
		})
	}
}

func TestFormatDSNFallsBackToURLForUnreadableCredentials(t *testing.T) {
	for _, cfg := range []actor.Config{
		{User: "a:b", Password: "pw", Host: "h", Port: 1},
		{User: "u", Password: "x@/y?z", DB: "d"},
		{User: "u", Password: "p", UnixSocket: "/tmp/s", DB: "d"},
	} {
		dsn := cfg.FormatDSN()
		got, err := actor.ParseDSN(dsn)
		if err != nil {
			t.Errorf("ParseDSN(%q): %v", dsn, err)
			continue
		}
		if !reflect.DeepEqual(fieldsOf(got), fieldsOf(cfg)) {
			t.Errorf("%q gave %+v, want %+v", dsn, fieldsOf(got), fieldsOf(cfg))
		}
	}
}

// FuzzDSNRoundTrip checks that every DSN ParseDSN accepts prints, with
// FormatDSN, to one that parses to the same settings, and that a Config
// built from arbitrary credentials survives FormatDSN and ParseDSN.
func FuzzDSNRoundTrip(f *testing.F) {
	f.Add("u:p@tcp(h:1)/d?charset=latin1&timeout=2s", "user", "p@ss/w?rd", "db", "host", uint16(3306), "utf8mb4", int64(1500))
	f.Add("mysql://u:p%40@h1:1,h2:2/d?echo=1", "", "", "", "", uint16(0), "", int64(0))
	f.Add("u@unix(/tmp/s)/d?ssl_mode=required&autocommit=0", "a:b", "@tcp(x)/", "a/b c", "::1", uint16(1), "latin1", int64(-5))
	f.Fuzz(func(t *testing.T, dsn, user, password, db, host string, port uint16, charset string, timeoutMs int64) {
		if cfg, err := actor.ParseDSN(dsn); err == nil {
			out := cfg.FormatDSN()
			again, err := actor.ParseDSN(out)
			if err != nil {
				t.Fatalf("ParseDSN(%q) accepted, but its FormatDSN %q fails: %v", dsn, out, err)
			}
			if again.FormatDSN() != out || again.Password != cfg.Password || again.User != cfg.User {
				t.Fatalf("%q -> %q -> %q", dsn, out, again.FormatDSN())
			}
		}
		if !plainName(host) || strings.ContainsRune(charset, ',') || charset != "" && !plainName(charset) {
			return
		}
		if host == "" {
			port = 0 // no address
		}
		cfg := actor.Config{User: user, Password: password, DB: db, Host: host, Port: int(port), Charset: charset,
			ConnectTimeout: time.Duration(max(timeoutMs, 0)) * time.Millisecond, Echo: timeoutMs%2 == 0}
		out := cfg.FormatDSN()
		got, err := actor.ParseDSN(out)
		if err != nil {
			t.Fatalf("FormatDSN gave %q, which fails: %v", out, err)
		}
		if !reflect.DeepEqual(fieldsOf(got), fieldsOf(cfg)) || got.Charset != cfg.Charset ||
			got.ConnectTimeout != cfg.ConnectTimeout || got.Echo != cfg.Echo {
			t.Fatalf("%+v -> %q -> %+v", fieldsOf(cfg), out, fieldsOf(got))
		}
	})
}

// plainName reports whether s can be a host or charset name.
func plainName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
