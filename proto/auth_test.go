package proto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"
)

var (
	authSalt     = []byte("abcdefghijklmnopqrst")
	authSaltNUL  = []byte("abcdefghijklmnopqrst\x00")
	authSaltBin  = []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	authPassword = []string{"secret", "pässwörd ✓", "a password longer than the twenty-byte scramble", "x"}
)

func authHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func xorBytes(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}

func TestScrambleNativePasswordFollowsTheFormula(t *testing.T) {
	for _, pw := range authPassword {
		for _, salt := range [][]byte{authSalt, authSaltNUL, authSaltBin} {
			stage1 := sha1.Sum([]byte(pw))
			stage2 := sha1.Sum(stage1[:])
			mix := sha1.Sum(append(append([]byte{}, salt[:20]...), stage2[:]...))
			want := xorBytes(stage1[:], mix[:])
			if got := ScrambleNativePassword(pw, salt); !bytes.Equal(got, want) {
				t.Errorf("ScrambleNativePassword(%q, %q) = %x, want %x", pw, salt, got, want)
			}
		}
	}
}

// Vectors from go-sql-driver/mysql's auth_test.go (TestAuthFastNativePassword)
// and from Python's hashlib, computed apart from this code.
func TestScrambleNativePasswordKnownVectors(t *testing.T) {
	goSQLDriverSalt := []byte{70, 114, 92, 94, 1, 38, 11, 116, 63, 114, 23, 101, 126, 103, 26, 95, 81, 17, 24, 21}
	tests := []struct {
		name     string
		password string
		salt     []byte
		want     string
	}{
		{"go-sql-driver", "secret", goSQLDriverSalt, "35b18c9ffbbd7f356dfcac32d3c0f0a41a30cf2d"},
		{"go-sql-driver, NUL-terminated", "secret", append(goSQLDriverSalt[:20:20], 0), "35b18c9ffbbd7f356dfcac32d3c0f0a41a30cf2d"},
		{"hashlib", "secret", authSalt, "8817c50fa779daef010ee7577825b0847df9842e"},
		{"hashlib, NUL-terminated", "secret", authSaltNUL, "8817c50fa779daef010ee7577825b0847df9842e"},
		{"hashlib, UTF-8", "pässwörd ✓", authSaltBin, "6d1e9a5084e086d45520baeb8df4a151c6c96132"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(ScrambleNativePassword(tt.password, tt.salt)); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestScrambleCachingSHA2FollowsTheFormula(t *testing.T) {
	for _, pw := range authPassword {
		for _, salt := range [][]byte{authSalt, authSaltNUL, authSaltBin} {
			p1 := sha256.Sum256([]byte(pw))
			p2 := sha256.Sum256(p1[:])
			mix := sha256.Sum256(append(append([]byte{}, p2[:]...), salt[:20]...))
			want := xorBytes(p1[:], mix[:])
			if got := ScrambleCachingSHA2(pw, salt); !bytes.Equal(got, want) {
				t.Errorf("ScrambleCachingSHA2(%q, %q) = %x, want %x", pw, salt, got, want)
			}
		}
	}
}

// Vectors from go-sql-driver/mysql's auth_test.go (TestScrambleSHA256Pass,
// TestAuthFastCachingSHA256Password*) and from Python's hashlib.
func TestScrambleCachingSHA2KnownVectors(t *testing.T) {
	tests := []struct {
		name     string
		password string
		salt     []byte
		want     string
	}{
		{"go-sql-driver 1", "secret", []byte{10, 47, 74, 111, 75, 73, 34, 48, 88, 76, 114, 74, 37, 13, 3, 80, 82, 2, 23, 21},
			"f490e76f66d9d86665ce54d98c78d0acfe2fb0b08b423da807144873d30b312c"},
		{"go-sql-driver 2", "secret2", []byte{10, 47, 74, 111, 75, 73, 34, 48, 88, 76, 114, 74, 37, 13, 3, 80, 82, 2, 23, 21},
			"abc3934a012cf342e876071c8ee202de51785b430258a7a0138bc79c4d800bc6"},
		{"go-sql-driver cached", "secret", []byte{90, 105, 74, 126, 30, 48, 37, 56, 3, 23, 115, 127, 69, 22, 41, 84, 32, 123, 43, 118},
			"662005238fa18cf1abe8388b2b0e6bc4f9aa933cdccc78b2d60fb8961a3d39eb"},
		{"go-sql-driver full", "secret", []byte{6, 81, 96, 114, 14, 42, 50, 30, 76, 47, 1, 95, 126, 81, 62, 94, 83, 80, 52, 85, 0},
			"abc98a92599f0baa0043a531af5eda44b16d6e5622212cbe43f0466e288b7c29"},
		{"hashlib", "secret", authSalt, "c76e2898612a4cf042c77fa8c4702c4c64c0c2c557c53c4d75595aaa6abae809"},
		{"hashlib, NUL-terminated", "secret", authSaltNUL, "c76e2898612a4cf042c77fa8c4702c4c64c0c2c557c53c4d75595aaa6abae809"},
		{"hashlib, UTF-8", "pässwörd ✓", authSaltBin, "02e709898b3313646df05fc372e97b4e84e86ad75ed8e9fddaade4af1f4331ae"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(ScrambleCachingSHA2(tt.password, tt.salt)); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestEmptyPasswordScramblesAreEmpty(t *testing.T) {
	for _, salt := range [][]byte{authSalt, authSaltNUL, nil} {
		if got := ScrambleNativePassword("", salt); got != nil {
			t.Errorf("ScrambleNativePassword(\"\", %q) = %x, want nil", salt, got)
		}
		if got := ScrambleCachingSHA2("", salt); got != nil {
			t.Errorf("ScrambleCachingSHA2(\"\", %q) = %x, want nil", salt, got)
		}
	}
}

func TestClearPasswordAppendsNUL(t *testing.T) {
	tests := []struct {
		password string
		want     []byte
	}{
		{"", []byte{0}},
		{"secret", []byte("secret\x00")},
		{"pässwörd", []byte("p\xc3\xa4ssw\xc3\xb6rd\x00")},
	}
	for _, tt := range tests {
		if got := ClearPassword(tt.password); !bytes.Equal(got, tt.want) {
			t.Errorf("ClearPassword(%q) = %q, want %q", tt.password, got, tt.want)
		}
	}
}

func authRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestEncryptPasswordDecryptsToPasswordXorSalt(t *testing.T) {
	key := authRSAKey(t)
	tests := []struct {
		password string
		salt     []byte
		want     []byte // decrypted plaintext: (password + NUL) XOR salt[:20], cyclically
	}{
		{"", authSalt, []byte{0 ^ 'a'}},
		{"secret", authSaltBin, []byte{'s' ^ 1, 'e' ^ 2, 'c' ^ 3, 'r' ^ 4, 'e' ^ 5, 't' ^ 6, 0 ^ 7}},
		{"secret", append(authSaltBin[:20:20], 0), []byte{'s' ^ 1, 'e' ^ 2, 'c' ^ 3, 'r' ^ 4, 'e' ^ 5, 't' ^ 6, 0 ^ 7}},
		{"0123456789abcdefghijKLM", authSaltBin, []byte{
			'0' ^ 1, '1' ^ 2, '2' ^ 3, '3' ^ 4, '4' ^ 5, '5' ^ 6, '6' ^ 7, '7' ^ 8, '8' ^ 9, '9' ^ 10,
			'a' ^ 11, 'b' ^ 12, 'c' ^ 13, 'd' ^ 14, 'e' ^ 15, 'f' ^ 16, 'g' ^ 17, 'h' ^ 18, 'i' ^ 19, 'j' ^ 20,
			'K' ^ 1, 'L' ^ 2, 'M' ^ 3, 0 ^ 4}},
	}
	for _, tt := range tests {
		enc, err := EncryptPassword(tt.password, tt.salt, &key.PublicKey)
		if err != nil {
			t.Fatalf("EncryptPassword(%q): %v", tt.password, err)
		}
		if len(enc) != key.Size() {
			t.Errorf("EncryptPassword(%q) is %d bytes, want %d", tt.password, len(enc), key.Size())
		}
		plain, err := rsa.DecryptOAEP(sha1.New(), nil, key, enc, nil)
		if err != nil {
			t.Fatalf("DecryptOAEP(%q): %v", tt.password, err)
		}
		if !bytes.Equal(plain, tt.want) {
			t.Errorf("EncryptPassword(%q, %q) decrypts to %x, want %x", tt.password, tt.salt, plain, tt.want)
		}
		salt := tt.salt[:20]
		for i := range plain {
			plain[i] ^= salt[i%len(salt)]
		}
		if string(plain) != tt.password+"\x00" {
			t.Errorf("EncryptPassword(%q): unmasked %q", tt.password, plain)
		}
	}
}

func TestEncryptPasswordIsRandomized(t *testing.T) {
	key := authRSAKey(t)
	a, errA := EncryptPassword("secret", authSalt, &key.PublicKey)
	b, errB := EncryptPassword("secret", authSalt, &key.PublicKey)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if bytes.Equal(a, b) {
		t.Error("two OAEP encryptions are identical")
	}
}

func TestEncryptPasswordRejectsUnusableInput(t *testing.T) {
	key := authRSAKey(t)
	tests := []struct {
		name     string
		password string
		salt     []byte
		pub      *rsa.PublicKey
	}{
		{"no key", "secret", authSalt, nil},
		{"no salt", "secret", nil, &key.PublicKey},
		{"too long for the key", strings.Repeat("p", 300), authSalt, &key.PublicKey},
	}
	for _, tt := range tests {
		if enc, err := EncryptPassword(tt.password, tt.salt, tt.pub); err == nil {
			t.Errorf("%s: accepted, got %d bytes", tt.name, len(enc))
		}
	}
}

func TestParsePublicKeyAcceptsPKIXAndPKCS1(t *testing.T) {
	key := authRSAKey(t)
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pem  []byte
	}{
		{"PKIX", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})},
		{"PKCS#1", pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)})},
		{"PKIX with trailing NUL", append(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0)},
	}
	for _, tt := range tests {
		pub, err := ParsePublicKey(tt.pem)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !pub.Equal(&key.PublicKey) {
			t.Errorf("%s: parsed a different key (E=%d)", tt.name, pub.E)
		}
	}
}

func TestParsePublicKeyRejectsGarbage(t *testing.T) {
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edDER, err := x509.MarshalPKIXPublicKey(edPub)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		pem  []byte
	}{
		{"nil", nil},
		{"not PEM", []byte("garbage")},
		{"bad PKIX DER", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2}})},
		{"bad PKCS#1 DER", pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: []byte{0x30, 0xff}})},
		{"wrong block type", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: edDER})},
		{"not an RSA key", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: edDER})},
	}
	for _, tt := range tests {
		pub, err := ParsePublicKey(tt.pem)
		if err == nil || pub != nil {
			t.Errorf("%s: got (%v, %v), want an error", tt.name, pub, err)
		}
	}
}

// Public keys shown by MariaDB's ed25519_password(): mysql-test/suite/plugins/r/
// auth_ed25519.result and plugin/auth_ed25519/ed25519-t.c in MariaDB/server; ""
// from a Python RFC 8032 reference with SHA-512(password) as the expanded key.
func TestEd25519PublicKeyMatchesMariaDB(t *testing.T) {
	tests := []struct{ password, want string }{
		{"foo", "vubFBzIrapbfHct1/J72dnUryz5VS7lA6XHH8sIx4TI"},
		{"foobar", "qv2mG6HWCuy32Slb5xhV4THStewNz2VINVPbgk+XAJ8"},
		{"foo bar", "Y5fV74JAVRMOK2cdnUsYS+WW9sXaaL/o+6WGKOgqnzc"},
		{"bar", "pfzkeWMzkTefY1oshXS+/kATeN51M+4jxi3/cbyTd10"},
		{"secret", "ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY"},
		{"", "4LH+dBF+G5W2CKTyId8xR3SyDqZoQjUNUVNxx8aWbG4"},
	}
	for _, tt := range tests {
		if got := base64.RawStdEncoding.EncodeToString(Ed25519PublicKey(tt.password)); got != tt.want {
			t.Errorf("Ed25519PublicKey(%q) = %s, want %s", tt.password, got, tt.want)
		}
	}
}

// "foobar" signing 32 × 'A' is the crypto_sign vector of MariaDB/server's
// plugin/auth_ed25519/ed25519-t.c; the others come from a Python RFC 8032
// reference with SHA-512(password) as the expanded key, which reproduces it.
func TestScrambleEd25519MatchesMariaDB(t *testing.T) {
	seq := func(from byte) []byte {
		b := make([]byte, 32)
		for i := range b {
			b[i] = from + byte(i)
		}
		return b
	}
	tests := []struct {
		name     string
		password string
		nonce    []byte
		want     string
	}{
		{"ed25519-t.c", "foobar", bytes.Repeat([]byte{'A'}, 32),
			"e83dc93f433f33355649ee23aa7592d61a1123090884f58d3063423a24e4305473febba858a2f93923554feea76a44753887ab2f140e854f0fe57ca0b0648a0e"},
		{"ed25519-t.c, NUL-terminated", "foobar", append(bytes.Repeat([]byte{'A'}, 32), 0),
			"e83dc93f433f33355649ee23aa7592d61a1123090884f58d3063423a24e4305473febba858a2f93923554feea76a44753887ab2f140e854f0fe57ca0b0648a0e"},
		{"reference", "secret", seq(0),
			"546c3e9311d19ee389d1ae5d945821bfe459423910136f16b3bd2ae89fd7d63b449e689f4be812891a85b8f999076446d92adb83d0707215aaa60b5a23220907"},
		{"reference, empty password", "", seq(0),
			"1e7e2c09c0c0e5f755a202872d95c85c4b14d23a888e9c40a0e9323e1ed28dd4aee4a8197c2d2ca26942bf6496d61c60c63661959ab57706eb0bfda05749ad0f"},
		{"reference, UTF-8", "pässwörd", seq(32),
			"b153d2366010e48b738d7d36aef49c6f033fe63133b5593ef96d057a67852752f114d14a9adf2ae36f6fba65ad354dc777f9fddf2e44f592140d6f71f0aa4c01"},
	}
	for _, tt := range tests {
		got, err := ScrambleEd25519(tt.password, tt.nonce)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !bytes.Equal(got, authHex(t, tt.want)) {
			t.Errorf("%s: got %x\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestScrambleEd25519VerifiesWithThePasswordsKey(t *testing.T) {
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	for _, pw := range append([]string{""}, authPassword...) {
		sig, err := ScrambleEd25519(pw, nonce)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != ed25519.SignatureSize {
			t.Errorf("%q: signature is %d bytes", pw, len(sig))
		}
		if !ed25519.Verify(Ed25519PublicKey(pw), nonce, sig) {
			t.Errorf("%q: signature does not verify with the password's key", pw)
		}
		if ed25519.Verify(Ed25519PublicKey(pw+"!"), nonce, sig) {
			t.Errorf("%q: signature verifies with another password's key", pw)
		}
		other := append([]byte{}, nonce...)
		other[10] ^= 1
		if ed25519.Verify(Ed25519PublicKey(pw), other, sig) {
			t.Errorf("%q: signature verifies for another nonce", pw)
		}
	}
}

// TestEd25519SwitchWithANonceEndingInZeroSignsAllOfIt: one nonce in 256
// ends in a 0 byte, which is part of the nonce, not a terminator.
func TestEd25519SwitchWithANonceEndingInZeroSignsAllOfIt(t *testing.T) {
	const pw = "ed-secret ü"
	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce[:31]); err != nil {
		t.Fatal(err)
	}
	sw, err := ParseAuthSwitch(append(append([]byte{0xfe}, AuthEd25519+"\x00"...), nonce...))
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ScrambleEd25519(pw, sw.Data)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(Ed25519PublicKey(pw), nonce, sig) {
		t.Error("the signature does not cover the nonce the server sent")
	}
}

func TestSignWithExpandedMatchesStandardEd25519(t *testing.T) {
	random := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		seed []byte
		msg  []byte
	}{
		{bytes.Repeat([]byte{42}, ed25519.SeedSize), []byte("scramble to sign")},
		{make([]byte, ed25519.SeedSize), nil},
		{random, bytes.Repeat([]byte{0xff}, 32)},
		{random, []byte(strings.Repeat("long message ", 40))},
	}
	for _, tt := range tests {
		az := sha512.Sum512(tt.seed)
		got, err := signWithExpanded(az[:], tt.msg)
		if err != nil {
			t.Fatal(err)
		}
		want := ed25519.Sign(ed25519.NewKeyFromSeed(tt.seed), tt.msg)
		if !bytes.Equal(got, want) {
			t.Errorf("seed %x, msg %q:\n got %x\nwant %x", tt.seed, tt.msg, got, want)
		}
	}
}
