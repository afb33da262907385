package proto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"testing"
)

var salt = []byte("abcdefghijklmnopqrst")

// The expected values were computed independently with Python's hashlib.
func TestScrambleVectors(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"native", ScrambleNativePassword("secret", salt), "8817c50fa779daef010ee7577825b0847df9842e"},
		{"native, NUL-terminated salt", ScrambleNativePassword("secret", append(salt, 0)), "8817c50fa779daef010ee7577825b0847df9842e"},
		{"caching_sha2", ScrambleCachingSHA2("secret", salt), "c76e2898612a4cf042c77fa8c4702c4c64c0c2c557c53c4d75595aaa6abae809"},
	}
	for _, tt := range tests {
		if hex.EncodeToString(tt.got) != tt.want {
			t.Errorf("%s = %x, want %s", tt.name, tt.got, tt.want)
		}
	}
	if ScrambleNativePassword("", salt) != nil || ScrambleCachingSHA2("", salt) != nil {
		t.Error("empty password must give an empty response")
	}
	if !bytes.Equal(ClearPassword("pw"), []byte("pw\x00")) {
		t.Error("ClearPassword lacks its NUL")
	}
}

func TestEncryptPasswordDecryptsToXoredPassword(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pkix := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)})
	for name, p := range map[string][]byte{"PKIX": pkix, "PKCS#1": pkcs1} {
		pub, err := ParsePublicKey(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		password := "a longer password than the twenty-byte scramble"
		enc, err := EncryptPassword(password, salt, pub)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := rsa.DecryptOAEP(sha1.New(), nil, key, enc, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range plain {
			plain[i] ^= salt[i%len(salt)]
		}
		if string(plain) != password+"\x00" {
			t.Errorf("%s: decrypted %q", name, plain)
		}
	}
	for _, bad := range [][]byte{nil, []byte("garbage"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2}})} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
}

func TestScrambleEd25519VerifiesWithTheDerivedKey(t *testing.T) {
	nonce := bytes.Repeat([]byte{7}, 32)
	sig, err := ScrambleEd25519("ed-secret ü", nonce)
	if err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(Ed25519PublicKey("ed-secret ü"), nonce, sig) {
		t.Error("signature does not verify with the password's public key")
	}
	if ed25519.Verify(Ed25519PublicKey("other"), nonce, sig) {
		t.Error("signature verifies with another password's key")
	}
}

func TestSignExpandedMatchesStandardEd25519(t *testing.T) {
	seed := bytes.Repeat([]byte{42}, ed25519.SeedSize)
	msg := []byte("scramble to sign")
	az := sha512.Sum512(seed)
	got, err := signExpanded(az[:], msg)
	if err != nil {
		t.Fatal(err)
	}
	want := ed25519.Sign(ed25519.NewKeyFromSeed(seed), msg)
	if !bytes.Equal(got, want) {
		t.Errorf("signExpanded = %x\nwant %x", got, want)
	}
}
