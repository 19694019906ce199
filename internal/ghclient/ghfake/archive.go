package ghfake

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"
)

// routeWeb answers the web (not API) paths the fake serves: a repository's
// archive at a ref, as https://github.com/<owner>/<name>/archive/<ref>.tar.gz
// does. It reports false for any other path.
func (s *Server) routeWeb(w http.ResponseWriter, req *http.Request) bool {
	parts := strings.SplitN(strings.TrimPrefix(req.URL.Path, "/"), "/", 4)
	if len(parts) != 4 || parts[2] != "archive" || !strings.HasSuffix(parts[3], ".tar.gz") || req.Method != http.MethodGet {
		return false
	}
	s.mu.Lock()
	r, ok := s.repos[strings.ToLower(parts[0]+"/"+parts[1])]
	s.mu.Unlock()
	if !ok {
		s.fail(w, http.StatusNotFound, "Not Found")
		return true
	}
	s.archive(w, r, strings.TrimSuffix(parts[3], ".tar.gz"))
	return true
}

// tarball answers GET /repos/{owner}/{repo}/tarball/{ref} as GitHub does:
// a redirect to the archive (codeload.github.com there, the fake's own
// archive path here).
func (s *Server) tarball(w http.ResponseWriter, req *http.Request, r *repo, ref string) {
	w.Header().Set("Location", webURL(req)+"/"+r.name+"/archive/"+ref+".tar.gz")
	w.WriteHeader(http.StatusFound)
}

// archive writes the files of r at ref as a gzipped tar under one top
// directory, "<name>-<ref>/", with fixed modes and times.
func (s *Server) archive(w http.ResponseWriter, r *repo, ref string) {
	s.mu.Lock()
	key := ref
	if sha, ok := r.branches[ref]; ok {
		key = sha
	}
	files, ok := r.files[key]
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	s.mu.Unlock()
	if !ok {
		s.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	top := path.Base(r.name) + "-" + strings.ReplaceAll(ref, "/", "-") + "/"
	when := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	dirs := map[string]bool{}
	for _, p := range paths {
		for d := path.Dir(p); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var sortedDirs []string
	for d := range dirs {
		sortedDirs = append(sortedDirs, d)
	}
	sort.Strings(sortedDirs)
	tw.WriteHeader(&tar.Header{Name: top, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: when})
	for _, d := range sortedDirs {
		tw.WriteHeader(&tar.Header{Name: top + d + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: when})
	}
	for _, p := range paths {
		data := files[p]
		tw.WriteHeader(&tar.Header{Name: top + p, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), ModTime: when})
		tw.Write(data)
	}
	tw.Close()
	gz.Close()
	w.Header().Set("Content-Type", "application/x-gzip")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%s.tar.gz", strings.TrimSuffix(top, "/")))
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	w.Write(buf.Bytes())
}
