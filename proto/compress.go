package proto

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// compressHeaderLen is the size of a compressed packet's header: 3-byte
// compressed length, sequence id, 3-byte uncompressed length (0 when the
// payload is sent as is).
const compressHeaderLen = 7

// minCompressLen is the payload size below which packets are sent
// uncompressed, as the reference clients do.
const minCompressLen = 50

// Compressor implements the compressed protocol (CLIENT_COMPRESS) as an
// io.ReadWriter between the packet layer and the connection: writes are
// zlib-compressed into compressed packets and reads return the
// decompressed stream.
type Compressor struct {
	rw   io.ReadWriter
	seq  byte
	in   []byte // decompressed bytes not yet read
	off  int
	hdr  [compressHeaderLen]byte
	raw  []byte // compressed payload being read
	zr   io.ReadCloser
	zw   *zlib.Writer
	zbuf bytes.Buffer
	out  []byte

	// MaxPayload bounds the decompressed size of one compressed packet;
	// 0 means the protocol's own bound (16 MiB).
	MaxPayload int
}

// NewCompressor returns a compressor over rw at the given zlib level.
func NewCompressor(rw io.ReadWriter, level int) (*Compressor, error) {
	zw, err := zlib.NewWriterLevel(nil, level)
	if err != nil {
		return nil, err
	}
	return &Compressor{rw: rw, zw: zw}, nil
}

// ResetSeq starts a new command: the compressed sequence restarts at 0.
func (c *Compressor) ResetSeq() { c.seq = 0 }

// Write sends p (one or more whole packets) as one compressed packet.
func (c *Compressor) Write(p []byte) (int, error) {
	for written := 0; written < len(p); {
		chunk := p[written:]
		if len(chunk) > MaxPayloadLen {
			chunk = chunk[:MaxPayloadLen]
		}
		if err := c.writeOne(chunk); err != nil {
			return written, err
		}
		written += len(chunk)
	}
	return len(p), nil
}

func (c *Compressor) writeOne(p []byte) error {
	body, rawLen := p, 0
	if len(p) >= minCompressLen {
		c.zbuf.Reset()
		c.zw.Reset(&c.zbuf)
		if _, err := c.zw.Write(p); err != nil {
			return err
		}
		if err := c.zw.Close(); err != nil {
			return err
		}
		if c.zbuf.Len() < len(p) {
			body, rawLen = c.zbuf.Bytes(), len(p)
		}
	}
	n := len(body)
	c.out = append(c.out[:0], byte(n), byte(n>>8), byte(n>>16), c.seq, byte(rawLen), byte(rawLen>>8), byte(rawLen>>16))
	c.out = append(c.out, body...)
	c.seq++
	_, err := c.rw.Write(c.out)
	if cap(c.out) > maxKeptBuf {
		c.out = nil
	}
	return err
}

// Read returns decompressed bytes, reading compressed packets as needed.
func (c *Compressor) Read(p []byte) (int, error) {
	for c.off == len(c.in) {
		if err := c.readPacket(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.in[c.off:])
	c.off += n
	return n, nil
}

// TryRead returns decompressed bytes already at hand, without reading
// (NonBlockingReader).
func (c *Compressor) TryRead(p []byte) (int, error) {
	n := copy(p, c.in[c.off:])
	c.off += n
	return n, nil
}

func (c *Compressor) readPacket() error {
	if _, err := io.ReadFull(c.rw, c.hdr[:]); err != nil {
		return err
	}
	n := int(c.hdr[0]) | int(c.hdr[1])<<8 | int(c.hdr[2])<<16
	rawLen := int(c.hdr[4]) | int(c.hdr[5])<<8 | int(c.hdr[6])<<16
	c.seq = c.hdr[3] + 1
	if c.MaxPayload > 0 && rawLen > c.MaxPayload+headerLen {
		return fmt.Errorf("%w: compressed packet inflating to %d bytes", ErrPacketTooLarge, rawLen)
	}
	if cap(c.raw) < n {
		c.raw = make([]byte, n)
	}
	c.raw = c.raw[:n]
	if _, err := io.ReadFull(c.rw, c.raw); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if rawLen == 0 {
		c.in, c.off = append(c.in[:0], c.raw...), 0
		return nil
	}
	var err error
	if c.zr == nil {
		c.zr, err = zlib.NewReader(bytes.NewReader(c.raw))
	} else {
		err = c.zr.(zlib.Resetter).Reset(bytes.NewReader(c.raw), nil)
	}
	if err != nil {
		return fmt.Errorf("%w: compressed packet: %v", ErrMalformedPacket, err)
	}
	if cap(c.in) < rawLen {
		c.in = make([]byte, rawLen)
	}
	c.in, c.off = c.in[:rawLen], 0
	if _, err := io.ReadFull(c.zr, c.in); err != nil {
		return fmt.Errorf("%w: compressed packet: %v", ErrMalformedPacket, err)
	}
	// The stream must end exactly at the announced length.
	var one [1]byte
	if m, _ := c.zr.Read(one[:]); m != 0 {
		return fmt.Errorf("%w: compressed packet longer than announced", ErrMalformedPacket)
	}
	return nil
}
