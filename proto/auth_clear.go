package proto

// ClearPassword returns password + NUL, the payload of mysql_clear_password
// and of full authentication over a secure channel.
func ClearPassword(password string) []byte {
	return append([]byte(password), 0)
}
