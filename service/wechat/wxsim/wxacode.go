package wxsim

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"strconv"
	"strings"

	"github.com/skip2/go-qrcode"
)

// sceneChars are the characters WeChat allows in a scene besides digits and
// letters (getwxacodeunlimit: "最大32个可见字符").
const sceneChars = "!#$&'()*+,/:;=?@-._~"

// validScene reports whether WeChat accepts scene: 1 to 32 characters, each
// a digit, a letter or one of !#$&'()*+,/:;=?@-._~
func validScene(scene string) bool {
	if scene == "" || len(scene) > 32 {
		return false
	}
	for _, c := range scene {
		ok := c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.ContainsRune(sceneChars, c)
		if !ok {
			return false
		}
	}
	return true
}

// wxaCode answers POST /wxa/getwxacodeunlimit with a JPEG. A real
// mini-program code is a round "sun" pattern; the simulator draws a standard
// QR code holding exactly the scene, so tests and demos can decode it.
func (s *Simulator) wxaCode(w http.ResponseWriter, r *http.Request, _ string) {
	var req struct {
		Scene      string `json:"scene"`
		Page       string `json:"page"`
		EnvVersion string `json:"env_version"`
		Width      int    `json:"width"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if !validScene(req.Scene) {
		writeError(w, 40129)
		return
	}
	switch req.EnvVersion {
	case "", "release", "trial", "develop":
	default:
		writeError(w, 40097)
		return
	}
	code, err := qrcode.New(req.Scene, qrcode.Medium)
	if err != nil {
		writeError(w, -1)
		return
	}
	var img bytes.Buffer
	if err := jpeg.Encode(&img, code.Image(codeWidth(req.Width)), &jpeg.Options{Quality: 95}); err != nil {
		writeError(w, -1)
		return
	}
	// silenceper's fetchCode accepts exactly "image/jpeg", with no parameters.
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Content-Length", strconv.Itoa(img.Len()))
	_, _ = w.Write(img.Bytes())
}

// codeWidth follows WeChat: 430 px by default, 280 to 1280.
func codeWidth(width int) int {
	switch {
	case width == 0:
		return 430
	case width < 280:
		return 280
	case width > 1280:
		return 1280
	}
	return width
}
