package metrics

import (
	"runtime/debug"
	"testing"

	"github.com/amysql/amysql/actor"
)

func TestModuleVersionComesFromTheBuild(t *testing.T) {
	dep := func(v string, replace *debug.Module) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "example.com/app", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "example.com/other", Version: "v9.9.9"}, {Path: modulePath, Version: v, Replace: replace}}}
	}
	for _, tt := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"a dependency", dep("v1.4.2", nil), true, "v1.4.2"},
		{"a pseudo-version", dep("v0.0.0-20250101120000-abcdefabcdef", nil), true, "v0.0.0-20250101120000-abcdefabcdef"},
		{"replaced by a version", dep("v1.4.2", &debug.Module{Path: "example.com/fork", Version: "v1.4.3"}), true, "v1.4.3"},
		{"replaced by a directory", dep("v0.0.0-00010101000000-000000000000", &debug.Module{Path: "../amysql"}), true, actor.Version},
		{"the main module, released", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.5.0"}}, true, "v1.5.0"},
		{"the main module, a development build", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, true, actor.Version},
		{"no build information", nil, false, actor.Version},
	} {
		if got := moduleVersion(tt.bi, tt.ok); got != tt.want {
			t.Errorf("%s: moduleVersion = %q, want %q", tt.name, got, tt.want)
		}
	}
}
