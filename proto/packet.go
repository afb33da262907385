package proto

import (
	"fmt"
	"io"
)

// headerLen is the size of a packet header: 3-byte payload length and a
// 1-byte sequence id.
const headerLen = 4

const (
	defaultReadBuf = 16 << 10
	// maxKeptBuf bounds the read buffer kept between packets; a larger
	// buffer grown for one big packet is released afterwards.
	maxKeptBuf = 1 << 20
)

// PacketReader reads packets from an io.Reader, checking sequence ids and
// reassembling payloads split across several packets. Payloads returned by
// ReadPacket are views into an internal buffer, valid until the next call.
type PacketReader struct {
	r     io.Reader
	buf   []byte
	start int // first unread byte in buf
	end   int // end of buffered data
	seq   byte
	big   []byte // reassembly buffer for split payloads
	split bool   // a split payload is half reassembled in big

	// MaxPayload bounds a reassembled payload; 0 means no limit beyond
	// the protocol's own (1 GiB).
	MaxPayload int
}

// NewPacketReader returns a reader with a buffer of at least size bytes.
func NewPacketReader(r io.Reader, size int) *PacketReader {
	if size < defaultReadBuf {
		size = defaultReadBuf
	}
	return &PacketReader{r: r, buf: make([]byte, size)}
}

// Reset makes the reader read from r from now on, dropping buffered bytes.
func (pr *PacketReader) Reset(r io.Reader) {
	pr.r, pr.start, pr.end, pr.split = r, 0, 0, false
}

// Seq returns the sequence id expected for the next packet.
func (pr *PacketReader) Seq() byte { return pr.seq }

// SetSeq sets the sequence id expected for the next packet.
func (pr *PacketReader) SetSeq(s byte) { pr.seq = s }

// Resumable reports whether a ReadPacket that failed with a transient
// error (a read deadline) can simply be called again: true unless it
// failed halfway through reassembling a split payload.
func (pr *PacketReader) Resumable() bool { return !pr.split }

// Buffered returns the number of bytes read from the source but not yet
// consumed.
func (pr *PacketReader) Buffered() int { return pr.end - pr.start }

// HasPacket reports whether the next packet is already buffered whole, so
// that ReadPacket returns it without reading from the source. A payload
// split across packets counts as not buffered.
func (pr *PacketReader) HasPacket() bool {
	if pr.end-pr.start < headerLen || pr.split {
		return false
	}
	h := pr.buf[pr.start:]
	n := int(h[0]) | int(h[1])<<8 | int(h[2])<<16
	return n < MaxPayloadLen && pr.end-pr.start >= headerLen+n
}

// A NonBlockingReader can be asked for the bytes it has ready without
// waiting for more: TryRead returns 0 and no error when there are none.
type NonBlockingReader interface {
	TryRead(p []byte) (int, error)
}

// TopUp adds to the buffer, without waiting, what the source has ready
// when it is a NonBlockingReader, and reports whether the next packet is
// then buffered whole (see HasPacket). A read error is left for the next
// ReadPacket to meet.
func (pr *PacketReader) TopUp() bool {
	nb, ok := pr.r.(NonBlockingReader)
	if !ok || pr.split {
		return false
	}
	if pr.start > 0 {
		pr.end = copy(pr.buf, pr.buf[pr.start:pr.end])
		pr.start = 0
	}
	if pr.end == len(pr.buf) {
		return false // a packet larger than the buffer: ReadPacket grows it
	}
	n, _ := nb.TryRead(pr.buf[pr.end:])
	pr.end += n
	return n > 0 && pr.HasPacket()
}

// fill makes sure at least n unread bytes are buffered.
func (pr *PacketReader) fill(n int) error {
	if pr.end-pr.start >= n {
		return nil
	}
	if n > len(pr.buf)-pr.start {
		// Not enough room after start: compact, or grow.
		if n <= len(pr.buf) {
			pr.end = copy(pr.buf, pr.buf[pr.start:pr.end])
		} else {
			nb := make([]byte, n+defaultReadBuf)
			pr.end = copy(nb, pr.buf[pr.start:pr.end])
			pr.buf = nb
		}
		pr.start = 0
	}
	for pr.end-pr.start < n {
		m, err := pr.r.Read(pr.buf[pr.end:])
		pr.end += m
		if err != nil {
			if pr.end-pr.start >= n {
				return nil
			}
			if err == io.EOF {
				if pr.end == pr.start {
					return io.EOF
				}
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// readOne reads one physical packet and returns its payload.
func (pr *PacketReader) readOne() ([]byte, byte, error) {
	if len(pr.buf) > maxKeptBuf && pr.start == pr.end {
		pr.buf, pr.start, pr.end = make([]byte, defaultReadBuf), 0, 0
	}
	if err := pr.fill(headerLen); err != nil {
		return nil, 0, err
	}
	h := pr.buf[pr.start : pr.start+headerLen]
	n := int(h[0]) | int(h[1])<<8 | int(h[2])<<16
	seq := h[3]
	if pr.MaxPayload > 0 && n > pr.MaxPayload {
		return nil, seq, fmt.Errorf("%w: incoming packet of %d bytes, limit %d", ErrPacketTooLarge, n, pr.MaxPayload)
	}
	if err := pr.fill(headerLen + n); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, seq, err
	}
	p := pr.buf[pr.start+headerLen : pr.start+headerLen+n : pr.start+headerLen+n]
	pr.start += headerLen + n
	return p, seq, nil
}

// ReadPacket reads the next logical payload. A packet whose sequence id is
// not the expected one yields ErrPacketSequence, except that an ERR packet is
// still decoded and returned as the *Error it carries.
func (pr *PacketReader) ReadPacket() ([]byte, error) {
	p, seq, err := pr.readOne()
	if err != nil {
		return nil, err
	}
	if seq != pr.seq {
		if len(p) > 0 && p[0] == HeaderErr {
			if e, perr := ParseErr(p); perr == nil {
				return nil, e
			}
		}
		return nil, fmt.Errorf("%w: got %d, want %d", ErrPacketSequence, seq, pr.seq)
	}
	pr.seq++
	if len(p) < MaxPayloadLen {
		return p, nil
	}
	// A full-size packet: the payload continues in the next packet(s).
	pr.big = append(pr.big[:0], p...)
	pr.split = true
	for {
		p, seq, err = pr.readOne()
		if err != nil {
			return nil, err
		}
		if seq != pr.seq {
			return nil, fmt.Errorf("%w: got %d, want %d", ErrPacketSequence, seq, pr.seq)
		}
		pr.seq++
		if pr.MaxPayload > 0 && len(pr.big)+len(p) > pr.MaxPayload {
			return nil, fmt.Errorf("%w: incoming payload above %d bytes", ErrPacketTooLarge, pr.MaxPayload)
		}
		pr.big = append(pr.big, p...)
		if len(p) < MaxPayloadLen {
			pr.split = false
			out := pr.big
			if cap(pr.big) > maxKeptBuf {
				pr.big = nil
			}
			return out, nil
		}
	}
}

// PacketWriter frames payloads into packets on an io.Writer, splitting
// payloads of MaxPayloadLen bytes or more. A payload is built in place:
// Start returns a buffer holding room for the header, the caller appends the
// payload, and Write frames and sends it in as few writes as possible.
type PacketWriter struct {
	w       io.Writer
	buf     []byte
	seq     byte
	written int // bytes the last Write handed to w

	// MaxPayload bounds an outgoing payload; 0 means no limit.
	MaxPayload int
}

// NewPacketWriter returns a writer on w.
func NewPacketWriter(w io.Writer) *PacketWriter {
	return &PacketWriter{w: w, buf: make([]byte, headerLen, 4096)}
}

// Reset makes the writer write to w from now on.
func (pw *PacketWriter) Reset(w io.Writer) { pw.w = w }

// Seq returns the sequence id of the next packet.
func (pw *PacketWriter) Seq() byte { return pw.seq }

// SetSeq sets the sequence id of the next packet.
func (pw *PacketWriter) SetSeq(s byte) { pw.seq = s }

// Start returns an empty packet buffer; append the payload to it and pass
// the result to Write.
func (pw *PacketWriter) Start() []byte {
	if cap(pw.buf) > maxKeptBuf {
		pw.buf = make([]byte, headerLen, 4096)
	}
	return pw.buf[:headerLen]
}

// Write frames the payload in b (as built on a Start buffer) and writes it.
func (pw *PacketWriter) Write(b []byte) error {
	pw.buf = b[:0] // keep grown capacity for the next packet
	pw.written = 0
	n := len(b) - headerLen
	if pw.MaxPayload > 0 && n > pw.MaxPayload {
		return fmt.Errorf("%w: outgoing payload of %d bytes, limit %d", ErrPacketTooLarge, n, pw.MaxPayload)
	}
	off := 0 // start of the current packet's header in b
	for {
		size := n
		if size > MaxPayloadLen {
			size = MaxPayloadLen
		}
		// The 4 bytes before a continuation chunk belong to the previous,
		// already written chunk, so they can be overwritten with its header.
		h := b[off : off+headerLen]
		h[0], h[1], h[2], h[3] = byte(size), byte(size>>8), byte(size>>16), pw.seq
		pw.seq++
		m, err := pw.w.Write(b[off : off+headerLen+size])
		pw.written += m
		if err != nil {
			return err
		}
		n -= size
		off += size
		if size < MaxPayloadLen {
			return nil
		}
	}
}

// WriteFramed writes packets already framed (see FramePayload) as they
// are; Written tells how much reached the writer.
func (pw *PacketWriter) WriteFramed(b []byte) error {
	m, err := pw.w.Write(b)
	pw.written = m
	return err
}

// FramePayload frames the payload in b[start+4:] (built after 4 bytes left
// for its header) as packets with sequence ids from seq, splitting it at
// MaxPayloadLen, and returns b.
func FramePayload(b []byte, start int, seq byte) []byte {
	n := len(b) - start - headerLen
	if n < MaxPayloadLen {
		h := b[start:]
		h[0], h[1], h[2], h[3] = byte(n), byte(n>>8), byte(n>>16), seq
		return b
	}
	payload := append([]byte(nil), b[start+headerLen:]...)
	b = b[:start]
	for {
		size := min(len(payload), MaxPayloadLen)
		b = append(b, byte(size), byte(size>>8), byte(size>>16), seq)
		b = append(b, payload[:size]...)
		seq++
		payload = payload[size:]
		if size < MaxPayloadLen {
			return b
		}
	}
}

// Written returns how many bytes the last Write handed to the underlying
// writer, also when it failed: 0 means none of its payload can have
// reached the peer.
func (pw *PacketWriter) Written() int { return pw.written }

// WritePacket writes payload p as a fresh packet (copying it).
func (pw *PacketWriter) WritePacket(p []byte) error {
	return pw.Write(append(pw.Start(), p...))
}
