package actor_test

import (
	"errors"
	"testing"

	"github.com/amysql/amysql/actor"
	"github.com/amysql/amysql/internal/testserver"
	"github.com/amysql/amysql/proto"
)

func TestAuthPluginsAgainstMariaDB(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{
		InitSQL: []string{
			"INSTALL SONAME 'auth_ed25519'",
			"CREATE USER 'native'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('n@tive pw')",
			"CREATE USER 'ed'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('ed-secret ü')",
			"CREATE USER 'nopw'@'%'",
			"GRANT ALL ON test.* TO 'native'@'%', 'ed'@'%', 'nopw'@'%'",
		},
	})
	base := targetConfig(t, srv.Target())
	tests := []struct {
		name, user, password string
		unix                 bool
		wantCode             uint16 // 0 = success
	}{
		{"native password", "native", "n@tive pw", false, 0},
		{"native wrong password", "native", "nope", false, 1045},
		{"ed25519", "ed", "ed-secret ü", false, 0},
		{"ed25519 wrong password", "ed", "ed-secret u", false, 1045},
		{"empty password", "nopw", "", false, 0},
		{"native over unix socket", "native", "n@tive pw", true, 0},
		{"ed25519 over unix socket", "ed", "ed-secret ü", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.User, cfg.Password = tt.user, tt.password
			if tt.unix {
				cfg.UnixSocket = srv.Socket
			}
			c, err := actor.Connect(ctxT(t), cfg)
			if tt.wantCode != 0 {
				var se *proto.Error
				if !errors.As(err, &se) || se.Code != tt.wantCode {
					t.Fatalf("Connect = %v, want server error %d", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("Connect: %v", err)
			}
			defer c.Close()
			row := queryRow(t, c, "SELECT CURRENT_USER()")
			if got := row[0].(string); got != tt.user+"@%" {
				t.Errorf("CURRENT_USER() = %q", got)
			}
		})
	}
}

func TestClearPasswordIsRefusedOverPlainTCP(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{InitSQL: []string{
		"CREATE USER 'clear'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('pw')",
	}})
	cfg := targetConfig(t, srv.Target())
	cfg.User, cfg.Password = "clear", "pw"
	cfg.AuthPlugin = proto.AuthClearPassword
	_, err := actor.Connect(ctxT(t), cfg)
	if !errors.Is(err, actor.ErrAuth) {
		t.Fatalf("Connect forcing mysql_clear_password over TCP = %v, want ErrAuth", err)
	}
}
