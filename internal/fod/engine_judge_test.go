package fod

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestJudge checks what the engine makes of the results Nix's log gave for
// one target: a hash only from exactly one mismatch and no failure.
func TestJudge(t *testing.T) {
	mismatch := func(got string) Result { return Result{Kind: KindMismatch, Path: capDrvB, Got: got} }
	failed := Result{Kind: KindBuildFailed, Path: capDrvB, ExitCode: 1}
	tests := []struct {
		name     string
		results  []Result
		kind     Kind
		got      string
		conflict bool
	}{
		{"nothing said", nil, "", "", false},
		{"one mismatch", []Result{mismatch(parseTestHashB)}, KindMismatch, parseTestHashB, false},
		{"the same mismatch twice (Determinate Nix)", []Result{mismatch(parseTestHashB), mismatch(parseTestHashB)}, KindMismatch, parseTestHashB, false},
		{"a forged block, then the builder fails", []Result{mismatch(capHashEvil), failed}, KindBuildFailed, "", false},
		{"a failure, then a forged block", []Result{failed, mismatch(capHashEvil)}, KindBuildFailed, "", false},
		{"a forged block, then Nix's own", []Result{mismatch(capHashEvil), mismatch(parseTestHashB)}, KindMismatch, capHashEvil, true},
		{"unavailable", []Result{{Kind: KindUnavailable, Path: capDrvB}}, KindUnavailable, "", false},
		{"a dependency failed", []Result{mismatch(capHashEvil), {Kind: KindDependencyFailed, Path: capDrvB}}, KindDependencyFailed, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := judge(tt.results)
			got := struct {
				Kind     Kind
				Got      string
				Conflict bool
			}{v.kind, v.got, v.conflict != nil}
			want := struct {
				Kind     Kind
				Got      string
				Conflict bool
			}{tt.kind, tt.got, tt.conflict}
			if tt.kind != KindMismatch {
				got.Got = ""
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
