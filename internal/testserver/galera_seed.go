package testserver

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
)

// A Galera node started from a copy of the bootstrap datadir knows no
// cluster state, so each joiner needs a full state transfer (rsync SST,
// about 2 s each, one donor at a time). The seed is a datadir that a
// one-node cluster left at a clean shutdown: user amysql in it, and a
// grastate.dat with the cluster's state UUID and seqno. Nodes that all
// start from copies of it share that state, and the joiners need no
// transfer at all. Like the bootstrap datadir it is made once per user,
// server version and Galera library under the temp directory and kept.

var (
	seedOnce sync.Once
	seedDir  string
	seedErr  error
)

// seedVersion changes when what the seed holds changes.
const seedVersion = "1"

var seqnoSet = regexp.MustCompile(`(?m)^seqno:\s*[0-9]+\s*$`)

func galeraSeed(cred *syscall.Credential) (string, error) {
	seedOnce.Do(func() { seedDir, seedErr = makeGaleraSeed(cred) })
	return seedDir, seedErr
}

func makeGaleraSeed(cred *syscall.Credential) (string, error) {
	boot, err := bootstrap()
	if err != nil {
		return "", err
	}
	lib := galeraLibrary()
	fi, err := os.Stat(lib)
	if err != nil {
		return "", err
	}
	sum := 0
	for _, c := range fmt.Sprint(boot, lib, fi.Size(), fi.ModTime().UnixNano(), seedVersion, createUser) {
		sum = sum*31 + int(c)
	}
	final := filepath.Join(os.TempDir(), fmt.Sprintf("amysql-galera-%d-%x", os.Geteuid(), uint32(sum)))
	if _, err := os.Stat(filepath.Join(final, "grastate.dat")); err == nil {
		return final, nil
	}
	c, err := newGalera(GaleraOptions{Nodes: 1}, cred, "")
	if err != nil {
		return "", err
	}
	defer teardown(nopTB{}, c.servers())
	if err := c.boot(false); err != nil {
		return "", fmt.Errorf("making the Galera seed: %w", err)
	}
	n := c.Nodes[0]
	n.Stop(nil)
	data := filepath.Join(n.Dir, "data")
	state, err := os.ReadFile(filepath.Join(data, "grastate.dat"))
	if err != nil || !seqnoSet.Match(state) {
		return "", fmt.Errorf("making the Galera seed: no clean grastate.dat (%v):\n%s\n%s", err, state, tail(n.ErrorLog(), 20))
	}
	for _, f := range []string{"galera.cache", "gvwstate.dat"} {
		os.Remove(filepath.Join(data, f)) // recreated at start
	}
	// Publish atomically; a parallel test binary may have won the race.
	if err := os.Rename(data, final); err != nil {
		if _, serr := os.Stat(filepath.Join(final, "grastate.dat")); serr != nil {
			return "", err
		}
	}
	return final, nil
}
