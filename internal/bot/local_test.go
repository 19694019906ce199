package bot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashbot-nix/hashbot/internal/config"
	"github.com/hashbot-nix/hashbot/internal/fod"
)

func TestKeepFlakeLockPutsItBackUnlessTheRunWroteWithIt(t *testing.T) {
	partial := &PartialError{Report: &fod.Report{}}
	tests := []struct {
		name    string
		partial bool
		err     error
		kept    bool
	}{
		{name: "the run succeeded", err: nil, kept: true},
		{name: "--partial wrote the successful hashes", partial: true, err: partial, kept: true},
		{name: "results not written without --partial", err: partial},
		{name: "the run failed", partial: true, err: errors.New("nix-build failed")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			lock := filepath.Join(dir, "flake.lock")
			if err := os.WriteFile(lock, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			var told []string
			l := &Local{Config: &config.Config{Dir: dir, Flake: "."}, Notify: func(msg string) { told = append(told, msg) }}
			putBack := l.keepFlakeLock(UpdateRequest{UpdateInputs: []string{"dep"}, Partial: tt.partial})
			os.WriteFile(lock, []byte("moved"), 0o644)
			err := tt.err
			putBack(&err)
			want := map[bool]string{true: "moved", false: "old"}[tt.kept]
			if got, _ := os.ReadFile(lock); string(got) != want {
				t.Errorf("flake.lock is %q, want %q", got, want)
			}
			if err != tt.err {
				t.Errorf("error %v, want %v", err, tt.err)
			}
			if put := len(told) > 0; put == tt.kept {
				t.Errorf("told %q; want a word only when the lock was put back", told)
			}
		})
	}
}
