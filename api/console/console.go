// Package console holds the web console's static pages, embedded in the
// binary and served at /console/.
package console

import (
	"embed"
	"io/fs"
)

//go:embed static
var files embed.FS

// Files is the console's document root.
func Files() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	return sub
}
