package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pins.json")
	os.WriteFile(file, []byte("{}"), 0o644)
	os.Symlink(file, filepath.Join(dir, "link.json"))
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, wantErr string
	}{
		{"a regular file", file, ""},
		{"a link to one", filepath.Join(dir, "link.json"), ""},
		{"a FIFO does not hang", fifo, "named pipe (FIFO)"},
		{"a directory", dir, "is a directory"},
		{"a device", "/dev/null", "is a device"},
		{"missing", filepath.Join(dir, "nope"), "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := ReadRegular(tt.path, 0); done <- err }()
			select {
			case err := <-done:
				if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
					t.Errorf("ReadRegular(%s) = %v, want %q", tt.path, err, tt.wantErr)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("ReadRegular(%s) hangs", tt.path)
			}
		})
	}
	if _, err := ReadRegular(file, 1); err == nil || !strings.Contains(err.Error(), "larger than 1 bytes") {
		t.Errorf("a file over the limit: %v", err)
	}
}

func TestInside(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(root, "nix"), 0o755)
	os.WriteFile(filepath.Join(root, "nix", "sources.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(outside, "passwd"), []byte("x"), 0o644)
	os.Symlink(filepath.Join(outside, "passwd"), filepath.Join(root, "nix", "evil.json"))
	os.Symlink(outside, filepath.Join(root, "out"))
	os.Symlink("sources.json", filepath.Join(root, "nix", "inner.json"))
	tests := []struct {
		name, rel string
		outside   bool
	}{
		{"a file inside", "nix/sources.json", false},
		{"a link to a file inside", "nix/inner.json", false},
		{"a file not there yet", "nix/new.json", false},
		{"a link to a file outside", "nix/evil.json", true},
		{"through a directory link outside", "out/passwd", true},
		{"a new file under a link outside", "out/new.json", true},
		{"dot-dot", "../x", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Inside(root, tt.rel)
			if got := errors.Is(err, ErrOutside); got != tt.outside {
				t.Errorf("Inside(%q) = %v, want outside %v", tt.rel, err, tt.outside)
			}
		})
	}
	if _, err := Inside(root, "/etc/passwd"); err == nil {
		t.Error("an absolute path was accepted")
	}
}
