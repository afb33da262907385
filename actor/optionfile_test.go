package actor_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/amysql/amysql/actor"
)

func TestReadOptionFile(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "conf.d"), 0o700)
	os.WriteFile(filepath.Join(dir, "conf.d", "10-extra.cnf"), []byte("[client]\nssl_ca = /etc/ca.pem\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "conf.d", "ignored.txt"), []byte("[client]\nuser=nope\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "inc.cnf"), []byte("[client]\nport=3310\n"), 0o600)
	main := filepath.Join(dir, "my.cnf")
	os.WriteFile(main, []byte(`# comment
[mysqld]
user = server-user

[client]
user = "app user"
password='p#ss w\'ord'
host=db.internal   # trailing comment
default_character_set = latin1
skip-ssl
; another comment
!include inc.cnf
!includedir `+filepath.Join(dir, "conf.d")+`

[other]
user = other
`), 0o600)
	got, err := actor.ReadOptionFile(main, "client")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"user": "app user", "password": "p#ss w'ord", "host": "db.internal", "default-character-set": "latin1",
		"skip-ssl": "", "port": "3310", "ssl-ca": "/etc/ca.pem",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("options = %v\nwant %v", got, want)
	}
	if _, err := actor.ReadOptionFile(filepath.Join(dir, "missing.cnf"), "client"); !errors.Is(err, actor.ErrOptionFile) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.cnf")
	os.WriteFile(bad, []byte("[client\nuser=x\n"), 0o600)
	if _, err := actor.ReadOptionFile(bad, "client"); !errors.Is(err, actor.ErrOptionFile) {
		t.Errorf("bad header: %v", err)
	}
	loop := filepath.Join(dir, "loop.cnf")
	os.WriteFile(loop, []byte("!include loop.cnf\n"), 0o600)
	if _, err := actor.ReadOptionFile(loop, "client"); !errors.Is(err, actor.ErrOptionFile) {
		t.Errorf("include loop: %v", err)
	}
}

func TestConnectReadsTheOptionFileAndExplicitValuesWin(t *testing.T) {
	base := testConfig(t)
	cnf := filepath.Join(t.TempDir(), "my.cnf")
	content := "[amysql]\nuser=" + base.User + "\npassword=\"" + base.Password + "\"\nhost=" + base.Host +
		"\nport=" + strconv.Itoa(base.Port) + "\ndatabase=information_schema\n"
	os.WriteFile(cnf, []byte(content), 0o600)
	c := connectCfg(t, actor.Config{ReadDefaultFile: cnf, ReadDefaultGroup: "amysql", DB: base.DB})
	if got := queryRow(t, c, "SELECT DATABASE(), CURRENT_USER()")[0]; got != base.DB {
		t.Errorf("DATABASE() = %v: the explicit DB should win over the file's", got)
	}
	c2 := connectCfg(t, actor.Config{ReadDefaultFile: cnf, ReadDefaultGroup: "amysql"})
	if got := queryRow(t, c2, "SELECT DATABASE()")[0]; got != "information_schema" {
		t.Errorf("DATABASE() = %v, want the file's information_schema", got)
	}
}
