package proto

import "crypto/sha1"

// Authentication plugin names.
const (
	AuthNativePassword = "mysql_native_password"
	AuthCachingSHA2    = "caching_sha2_password"
	AuthSHA256         = "sha256_password"
	AuthClearPassword  = "mysql_clear_password"
	AuthEd25519        = "client_ed25519"
)

// scramble20 returns the first 20 bytes of a server scramble, without the
// NUL terminator some servers append.
func scramble20(salt []byte) []byte {
	if len(salt) > 20 {
		salt = salt[:20]
	}
	return salt
}

// ScrambleNativePassword returns the mysql_native_password response:
// SHA1(pw) XOR SHA1(salt + SHA1(SHA1(pw))). An empty password gives an
// empty response.
func ScrambleNativePassword(password string, salt []byte) []byte {
	if password == "" {
		return nil
	}
	h := sha1.New()
	h.Write([]byte(password))
	stage1 := h.Sum(nil)
	h.Reset()
	h.Write(stage1)
	stage2 := h.Sum(nil)
	h.Reset()
	h.Write(scramble20(salt))
	h.Write(stage2)
	out := h.Sum(nil)
	for i := range out {
		out[i] ^= stage1[i]
	}
	return out
}

// ClearPassword returns password + NUL, as sent by mysql_clear_password
// and by full authentication over a secure channel.
func ClearPassword(password string) []byte {
	return append([]byte(password), 0)
}
