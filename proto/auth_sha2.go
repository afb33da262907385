package proto

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// Bytes of the caching_sha2_password and sha256_password exchanges.
const (
	CachingSHA2FastAuthOK byte = 3 // server: cached, OK follows
	CachingSHA2FullAuth   byte = 4 // server: send the password itself
	CachingSHA2RequestKey byte = 2 // client: send me your RSA key
	SHA256RequestKey      byte = 1 // client (sha256_password): send me your RSA key
)

// ScrambleCachingSHA2 returns the caching_sha2_password fast-path
// response: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + salt[:20]). An empty
// password gives an empty (nil) response.
func ScrambleCachingSHA2(password string, salt []byte) []byte {
	if password == "" {
		return nil
	}
	p1 := sha256.Sum256([]byte(password))
	p2 := sha256.Sum256(p1[:])
	h := sha256.New()
	h.Write(p2[:])
	h.Write(scramble20(salt))
	out := h.Sum(nil)
	for i := range out {
		out[i] ^= p1[i]
	}
	return out
}

// ParsePublicKey decodes a PEM RSA public key (PKIX or PKCS#1).
func ParsePublicKey(pemBytes []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("proto: no PEM block in public key")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("proto: public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("proto: public key is %T, not RSA", k)
		}
		return rk, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("proto: public key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("proto: unexpected PEM block %q", block.Type)
}

// EncryptPassword returns RSA-OAEP(SHA-1) of (password + NUL) XOR salt[:20],
// the salt repeated over the whole NUL-terminated password: the full
// authentication response of caching_sha2_password and sha256_password over
// an insecure channel.
func EncryptPassword(password string, salt []byte, pub *rsa.PublicKey) ([]byte, error) {
	if pub == nil {
		return nil, errors.New("proto: no RSA public key")
	}
	salt = scramble20(salt)
	if len(salt) == 0 {
		return nil, errors.New("proto: empty scramble")
	}
	plain := ClearPassword(password)
	for i := range plain {
		plain[i] ^= salt[i%len(salt)]
	}
	return rsa.EncryptOAEP(sha1.New(), rand.Reader, pub, plain, nil)
}
