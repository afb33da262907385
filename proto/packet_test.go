package proto

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func frame(seq byte, payload []byte) []byte {
	n := len(payload)
	return append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...)
}

func TestPacketWriterFramesSmallPayloadsInOneWrite(t *testing.T) {
	var w countingWriter
	pw := NewPacketWriter(&w)
	pw.SetSeq(3)
	if err := pw.Write(append(pw.Start(), 0x03, 'S', 'E', 'L')); err != nil {
		t.Fatal(err)
	}
	want := []byte{4, 0, 0, 3, 0x03, 'S', 'E', 'L'}
	if !bytes.Equal(w.buf.Bytes(), want) {
		t.Errorf("wrote % x, want % x", w.buf.Bytes(), want)
	}
	if w.writes != 1 {
		t.Errorf("%d writes, want 1", w.writes)
	}
	if pw.Seq() != 4 {
		t.Errorf("next seq %d, want 4", pw.Seq())
	}
}

func TestPacketWriterSplitsLargePayloads(t *testing.T) {
	for _, size := range []int{MaxPayloadLen - 1, MaxPayloadLen, MaxPayloadLen + 10, 2 * MaxPayloadLen} {
		var w countingWriter
		pw := NewPacketWriter(&w)
		payload := make([]byte, size)
		for i := range payload {
			payload[i] = byte(i * 7)
		}
		if err := pw.Write(append(pw.Start(), payload...)); err != nil {
			t.Fatal(err)
		}
		// Read it back with the reader: same payload, right sequence.
		pr := NewPacketReader(bytes.NewReader(w.buf.Bytes()), 0)
		got, err := pr.ReadPacket()
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if !bytes.Equal(got, payload) {
			t.Errorf("size %d: payload differs after round trip", size)
		}
		wantPackets := size/MaxPayloadLen + 1
		if int(pw.Seq()) != wantPackets || int(pr.Seq()) != wantPackets {
			t.Errorf("size %d: %d/%d packets, want %d", size, pw.Seq(), pr.Seq(), wantPackets)
		}
	}
}

func TestPacketReaderChecksSequence(t *testing.T) {
	stream := append(frame(0, []byte{1, 2}), frame(5, []byte{3})...)
	pr := NewPacketReader(bytes.NewReader(stream), 0)
	if p, err := pr.ReadPacket(); err != nil || !bytes.Equal(p, []byte{1, 2}) {
		t.Fatalf("first packet = % x, %v", p, err)
	}
	if _, err := pr.ReadPacket(); !errors.Is(err, ErrPacketSequence) {
		t.Errorf("out-of-sequence packet: %v, want ErrPacketSequence", err)
	}
}

func TestPacketReaderReportsOutOfSequenceErrorPackets(t *testing.T) {
	// MySQL 8 sends ER_CLIENT_INTERACTION_TIMEOUT with sequence 0 before
	// closing an idle session; it must surface as the server error.
	errPkt := []byte{0xff, 0xbf, 0x0f, '#', 'H', 'Y', '0', '0', '0', 'g', 'o', 'n', 'e'}
	pr := NewPacketReader(bytes.NewReader(frame(0, errPkt)), 0)
	pr.SetSeq(1)
	_, err := pr.ReadPacket()
	var se *Error
	if !errors.As(err, &se) || se.Code != 4031 || se.SQLState != "HY000" || se.Message != "gone" {
		t.Errorf("err = %v, want server error 4031", err)
	}
}

func TestPacketReaderEnforcesMaxPayload(t *testing.T) {
	pr := NewPacketReader(bytes.NewReader(frame(0, make([]byte, 100))), 0)
	pr.MaxPayload = 99
	if _, err := pr.ReadPacket(); !errors.Is(err, ErrPacketTooLarge) {
		t.Errorf("err = %v, want ErrPacketTooLarge", err)
	}
	// A header announcing a huge payload fails before anything is buffered.
	pr = NewPacketReader(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0}), 0)
	pr.MaxPayload = 1 << 20
	if _, err := pr.ReadPacket(); !errors.Is(err, ErrPacketTooLarge) {
		t.Errorf("err = %v, want ErrPacketTooLarge", err)
	}
}

func TestPacketWriterEnforcesMaxPayload(t *testing.T) {
	var w countingWriter
	pw := NewPacketWriter(&w)
	pw.MaxPayload = 10
	if err := pw.Write(append(pw.Start(), make([]byte, 11)...)); !errors.Is(err, ErrPacketTooLarge) {
		t.Errorf("err = %v, want ErrPacketTooLarge", err)
	}
	if w.writes != 0 {
		t.Error("an oversized payload was partly written")
	}
}

func TestPacketReaderTruncatedInput(t *testing.T) {
	for _, in := range [][]byte{{5, 0}, {5, 0, 0, 0, 1, 2}} {
		pr := NewPacketReader(bytes.NewReader(in), 0)
		if _, err := pr.ReadPacket(); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("input % x: %v, want io.ErrUnexpectedEOF", in, err)
		}
	}
	pr := NewPacketReader(bytes.NewReader(nil), 0)
	if _, err := pr.ReadPacket(); err != io.EOF {
		t.Errorf("empty input: %v, want io.EOF", err)
	}
}

func TestPacketReaderReadsManyPacketsWithoutAllocating(t *testing.T) {
	var stream []byte
	for i := 0; i < 1000; i++ {
		stream = append(stream, frame(byte(i), []byte("a row payload of some length"))...)
	}
	r := bytes.NewReader(stream)
	pr := NewPacketReader(r, 0)
	allocs := testing.AllocsPerRun(10, func() {
		r.Reset(stream)
		pr.Reset(r)
		pr.SetSeq(0)
		for i := 0; i < 1000; i++ {
			if _, err := pr.ReadPacket(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per 1000 packets, want 0", allocs)
	}
}

type countingWriter struct {
	buf    bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.buf.Write(p)
}

func FuzzPacketReader(f *testing.F) {
	f.Add(frame(0, []byte{1, 2, 3}))
	f.Add([]byte{0xff, 0xff, 0xff, 0, 1})
	f.Add(frame(1, []byte{0xff, 0x15, 0x04, '#', '2', '8', '0', '0', '0'}))
	f.Fuzz(func(t *testing.T, in []byte) {
		pr := NewPacketReader(bytes.NewReader(in), 0)
		pr.MaxPayload = 1 << 20
		for i := 0; i < 100; i++ {
			if _, err := pr.ReadPacket(); err != nil {
				return
			}
		}
	})
}

// trickle is a NonBlockingReader that has only ready bytes to give.
type trickle struct{ ready []byte }

func (t *trickle) Read(p []byte) (int, error) {
	if len(t.ready) == 0 {
		return 0, io.EOF // a blocking read would wait here
	}
	return t.TryRead(p)
}

func (t *trickle) TryRead(p []byte) (int, error) {
	n := copy(p, t.ready)
	t.ready = t.ready[n:]
	return n, nil
}

func TestHasPacketAndTopUpTellWhatIsBufferedWithoutWaiting(t *testing.T) {
	one, two := frame(0, []byte("first")), frame(1, []byte("second"))
	src := &trickle{ready: append(append([]byte{}, one...), two[:3]...)}
	pr := NewPacketReader(src, 0)
	if pr.HasPacket() {
		t.Fatal("HasPacket before anything was read")
	}
	if !pr.TopUp() {
		t.Fatal("TopUp found no packet in the ready bytes")
	}
	if p, err := pr.ReadPacket(); err != nil || string(p) != "first" {
		t.Fatalf("ReadPacket = %q, %v", p, err)
	}
	if pr.HasPacket() || pr.TopUp() {
		t.Fatal("a packet missing its last bytes counts as buffered")
	}
	src.ready = two[3:]
	if !pr.TopUp() {
		t.Fatal("TopUp did not complete the second packet")
	}
	if p, err := pr.ReadPacket(); err != nil || string(p) != "second" {
		t.Fatalf("ReadPacket = %q, %v", p, err)
	}
	split := NewPacketReader(bytes.NewReader(frame(0, make([]byte, MaxPayloadLen))), 0)
	if split.TopUp() {
		t.Error("TopUp on a reader that cannot read without waiting")
	}
}
