package proto

// Capability flags exchanged in the handshake (CLIENT_*).
const (
	ClientLongPassword               uint32 = 1 << 0
	ClientFoundRows                  uint32 = 1 << 1
	ClientLongFlag                   uint32 = 1 << 2
	ClientConnectWithDB              uint32 = 1 << 3
	ClientNoSchema                   uint32 = 1 << 4
	ClientCompress                   uint32 = 1 << 5
	ClientODBC                       uint32 = 1 << 6
	ClientLocalFiles                 uint32 = 1 << 7
	ClientIgnoreSpace                uint32 = 1 << 8
	ClientProtocol41                 uint32 = 1 << 9
	ClientInteractive                uint32 = 1 << 10
	ClientSSL                        uint32 = 1 << 11
	ClientIgnoreSIGPIPE              uint32 = 1 << 12
	ClientTransactions               uint32 = 1 << 13
	ClientReserved                   uint32 = 1 << 14
	ClientSecureConnection           uint32 = 1 << 15
	ClientMultiStatements            uint32 = 1 << 16
	ClientMultiResults               uint32 = 1 << 17
	ClientPSMultiResults             uint32 = 1 << 18
	ClientPluginAuth                 uint32 = 1 << 19
	ClientConnectAttrs               uint32 = 1 << 20
	ClientPluginAuthLenencClientData uint32 = 1 << 21
	ClientCanHandleExpiredPasswords  uint32 = 1 << 22
	ClientSessionTrack               uint32 = 1 << 23
	ClientDeprecateEOF               uint32 = 1 << 24
)

// MariaDB extended capability flags (sent in the upper 32 bits of the
// 64-bit capability word, in the handshake's filler bytes).
const (
	MariaDBClientProgress           uint32 = 1 << 0
	MariaDBClientComMulti           uint32 = 1 << 1
	MariaDBClientStmtBulkOperations uint32 = 1 << 2
	MariaDBClientExtendedTypeInfo   uint32 = 1 << 3
	MariaDBClientCacheMetadata      uint32 = 1 << 4
)

// Server status flags (SERVER_*), reported in OK and EOF packets.
const (
	StatusInTrans             uint16 = 1 << 0
	StatusAutocommit          uint16 = 1 << 1
	StatusMoreResultsExists   uint16 = 1 << 3
	StatusNoGoodIndexUsed     uint16 = 1 << 4
	StatusNoIndexUsed         uint16 = 1 << 5
	StatusCursorExists        uint16 = 1 << 6
	StatusLastRowSent         uint16 = 1 << 7
	StatusDBDropped           uint16 = 1 << 8
	StatusNoBackslashEscapes  uint16 = 1 << 9
	StatusMetadataChanged     uint16 = 1 << 10
	StatusQueryWasSlow        uint16 = 1 << 11
	StatusPSOutParams         uint16 = 1 << 12
	StatusInTransReadonly     uint16 = 1 << 13
	StatusSessionStateChanged uint16 = 1 << 14
)

// Command bytes (COM_*).
const (
	ComSleep            byte = 0x00
	ComQuit             byte = 0x01
	ComInitDB           byte = 0x02
	ComQuery            byte = 0x03
	ComFieldList        byte = 0x04
	ComStatistics       byte = 0x09
	ComProcessKill      byte = 0x0c
	ComPing             byte = 0x0e
	ComChangeUser       byte = 0x11
	ComStmtPrepare      byte = 0x16
	ComStmtExecute      byte = 0x17
	ComStmtSendLongData byte = 0x18
	ComStmtClose        byte = 0x19
	ComStmtReset        byte = 0x1a
	ComSetOption        byte = 0x1b
	ComStmtFetch        byte = 0x1c
	ComStmtBulkExecute  byte = 0xfa // MariaDB
	ComResetConnection  byte = 0x1f
)

// First bytes that identify a response packet.
const (
	HeaderOK          byte = 0x00
	HeaderAuthMore    byte = 0x01
	HeaderLocalInfile byte = 0xfb
	HeaderEOF         byte = 0xfe
	HeaderErr         byte = 0xff
)

// FieldType is a column type code (MYSQL_TYPE_*).
type FieldType byte

// Column type codes.
const (
	TypeDecimal    FieldType = 0x00
	TypeTiny       FieldType = 0x01
	TypeShort      FieldType = 0x02
	TypeLong       FieldType = 0x03
	TypeFloat      FieldType = 0x04
	TypeDouble     FieldType = 0x05
	TypeNull       FieldType = 0x06
	TypeTimestamp  FieldType = 0x07
	TypeLongLong   FieldType = 0x08
	TypeInt24      FieldType = 0x09
	TypeDate       FieldType = 0x0a
	TypeTime       FieldType = 0x0b
	TypeDateTime   FieldType = 0x0c
	TypeYear       FieldType = 0x0d
	TypeNewDate    FieldType = 0x0e
	TypeVarChar    FieldType = 0x0f
	TypeBit        FieldType = 0x10
	TypeTimestamp2 FieldType = 0x11
	TypeDateTime2  FieldType = 0x12
	TypeTime2      FieldType = 0x13
	TypeJSON       FieldType = 0xf5
	TypeNewDecimal FieldType = 0xf6
	TypeEnum       FieldType = 0xf7
	TypeSet        FieldType = 0xf8
	TypeTinyBlob   FieldType = 0xf9
	TypeMediumBlob FieldType = 0xfa
	TypeLongBlob   FieldType = 0xfb
	TypeBlob       FieldType = 0xfc
	TypeVarString  FieldType = 0xfd
	TypeString     FieldType = 0xfe
	TypeGeometry   FieldType = 0xff
)

// Column definition flags (*_FLAG).
const (
	FlagNotNull       uint16 = 1 << 0
	FlagPriKey        uint16 = 1 << 1
	FlagUniqueKey     uint16 = 1 << 2
	FlagMultipleKey   uint16 = 1 << 3
	FlagBlob          uint16 = 1 << 4
	FlagUnsigned      uint16 = 1 << 5
	FlagZeroFill      uint16 = 1 << 6
	FlagBinary        uint16 = 1 << 7
	FlagEnum          uint16 = 1 << 8
	FlagAutoIncrement uint16 = 1 << 9
	FlagTimestamp     uint16 = 1 << 10
	FlagSet           uint16 = 1 << 11
)

// BinaryCollation is the collation id of the binary character set (63).
const BinaryCollation = 63

// MaxPayloadLen is the largest payload one packet carries; longer payloads
// are split into several packets.
const MaxPayloadLen = 1<<24 - 1
