package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrBulkTypes reports rows whose arguments do not have one type per
// column, which COM_STMT_BULK_EXECUTE needs: run the rows one by one.
var ErrBulkTypes = errors.New("proto: the rows' argument types differ")

// Indicators of a bulk row's parameters, and the bulk flag that sends
// their types.
const (
	bulkNone      = 0
	bulkNull      = 1
	bulkSendTypes = 128
)

// NewBulkTypes returns the type record AppendStmtBulkRow fills: a (type,
// flag) pair per parameter, unset until a row gives a non-NULL value.
func NewBulkTypes(params int) []byte {
	t := make([]byte, 2*params)
	for i := 0; i < len(t); i += 2 {
		t[i] = 0xff
	}
	return t
}

// AppendStmtBulkRow appends one row of a COM_STMT_BULK_EXECUTE (MariaDB):
// for each argument an indicator and, unless it is NULL, its binary value.
// types records each column's type as the rows give it; a row whose type
// differs from an earlier row's is ErrBulkTypes.
func AppendStmtBulkRow(dst []byte, args []any, types []byte, opts LiteralOptions) ([]byte, error) {
	start := len(dst)
	for i, a := range args {
		at := len(dst)
		dst = append(dst, bulkNone)
		var t FieldType
		var unsigned bool
		var err error
		dst, t, unsigned, err = appendParam(dst, a, opts, 0)
		if err != nil {
			return dst[:start], fmt.Errorf("argument %d: %w", i+1, err)
		}
		if t == TypeNull {
			dst[at] = bulkNull
			continue
		}
		flag := byte(0)
		if unsigned {
			flag = 0x80
		}
		switch {
		case types[2*i] == 0xff:
			types[2*i], types[2*i+1] = byte(t), flag
		case types[2*i] != byte(t) || types[2*i+1] != flag:
			return dst[:start], fmt.Errorf("%w: argument %d", ErrBulkTypes, i+1)
		}
	}
	return dst, nil
}

// AppendStmtBulkHeader appends the start of a COM_STMT_BULK_EXECUTE of
// stmtID with the parameter types, after which the rows follow. Columns
// that were NULL in every row are sent as NULL.
func AppendStmtBulkHeader(dst []byte, stmtID uint32, types []byte) []byte {
	dst = append(dst, ComStmtBulkExecute)
	dst = binary.LittleEndian.AppendUint32(dst, stmtID)
	dst = binary.LittleEndian.AppendUint16(dst, bulkSendTypes)
	for i := 0; i < len(types); i += 2 {
		if types[i] == 0xff {
			dst = append(dst, byte(TypeNull), 0)
		} else {
			dst = append(dst, types[i], types[i+1])
		}
	}
	return dst
}
