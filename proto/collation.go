package proto

// Collation describes one server collation.
type Collation struct {
	ID      uint16
	Name    string
	Charset string
	Default bool // the charset's default collation
}

// collations lists the collations the client knows by id; a collation not
// listed here is still usable through SET NAMES.
var collations = [...]Collation{
	{1, "big5_chinese_ci", "big5", true},
	{3, "dec8_swedish_ci", "dec8", true},
	{4, "cp850_general_ci", "cp850", true},
	{5, "latin1_german1_ci", "latin1", false},
	{6, "hp8_english_ci", "hp8", true},
	{7, "koi8r_general_ci", "koi8r", true},
	{8, "latin1_swedish_ci", "latin1", true},
	{9, "latin2_general_ci", "latin2", true},
	{10, "swe7_swedish_ci", "swe7", true},
	{11, "ascii_general_ci", "ascii", true},
	{12, "ujis_japanese_ci", "ujis", true},
	{13, "sjis_japanese_ci", "sjis", true},
	{16, "hebrew_general_ci", "hebrew", true},
	{18, "tis620_thai_ci", "tis620", true},
	{19, "euckr_korean_ci", "euckr", true},
	{22, "koi8u_general_ci", "koi8u", true},
	{24, "gb2312_chinese_ci", "gb2312", true},
	{25, "greek_general_ci", "greek", true},
	{26, "cp1250_general_ci", "cp1250", true},
	{28, "gbk_chinese_ci", "gbk", true},
	{30, "latin5_turkish_ci", "latin5", true},
	{32, "armscii8_general_ci", "armscii8", true},
	{33, "utf8mb3_general_ci", "utf8mb3", true},
	{35, "ucs2_general_ci", "ucs2", true},
	{36, "cp866_general_ci", "cp866", true},
	{37, "keybcs2_general_ci", "keybcs2", true},
	{38, "macce_general_ci", "macce", true},
	{39, "macroman_general_ci", "macroman", true},
	{40, "cp852_general_ci", "cp852", true},
	{41, "latin7_general_ci", "latin7", true},
	{45, "utf8mb4_general_ci", "utf8mb4", true},
	{46, "utf8mb4_bin", "utf8mb4", false},
	{47, "latin1_bin", "latin1", false},
	{48, "latin1_general_ci", "latin1", false},
	{49, "latin1_general_cs", "latin1", false},
	{51, "cp1251_general_ci", "cp1251", true},
	{54, "utf16_general_ci", "utf16", true},
	{56, "utf16le_general_ci", "utf16le", true},
	{57, "cp1256_general_ci", "cp1256", true},
	{59, "cp1257_general_ci", "cp1257", true},
	{60, "utf32_general_ci", "utf32", true},
	{63, "binary", "binary", true},
	{65, "ascii_bin", "ascii", false},
	{83, "utf8mb3_bin", "utf8mb3", false},
	{84, "big5_bin", "big5", false},
	{87, "gbk_bin", "gbk", false},
	{88, "sjis_bin", "sjis", false},
	{92, "geostd8_general_ci", "geostd8", true},
	{95, "cp932_japanese_ci", "cp932", true},
	{97, "eucjpms_japanese_ci", "eucjpms", true},
	{192, "utf8mb3_unicode_ci", "utf8mb3", false},
	{224, "utf8mb4_unicode_ci", "utf8mb4", false},
	{246, "utf8mb4_unicode_520_ci", "utf8mb4", false},
	{248, "gb18030_chinese_ci", "gb18030", true},
	{255, "utf8mb4_0900_ai_ci", "utf8mb4", false},
}

// CollationByID returns the collation with the given id.
func CollationByID(id uint16) (Collation, bool) {
	for _, c := range collations {
		if c.ID == id {
			return c, true
		}
	}
	return Collation{}, false
}

// CollationByName returns the collation with the given name; the utf8_
// prefix is read as utf8mb3_, as the server does.
func CollationByName(name string) (Collation, bool) {
	if len(name) > 5 && name[:5] == "utf8_" {
		name = "utf8mb3_" + name[5:]
	}
	for _, c := range collations {
		if c.Name == name {
			return c, true
		}
	}
	return Collation{}, false
}

// DefaultCollation returns the default collation of a character set; "utf8"
// is read as utf8mb3, as the server does.
func DefaultCollation(charset string) (Collation, bool) {
	if charset == "utf8" {
		charset = "utf8mb3"
	}
	for _, c := range collations {
		if c.Charset == charset && c.Default {
			return c, true
		}
	}
	return Collation{}, false
}

// UnsafeForInterpolation reports whether a character set can hide a
// backslash or quote byte inside a multibyte character, which makes
// client-side escaping unsafe.
func UnsafeForInterpolation(charset string) bool {
	switch charset {
	case "big5", "cp932", "gb2312", "gbk", "sjis", "gb18030":
		return true
	}
	return false
}
