package linesim

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"regexp"
	"strconv"
	"time"
)

// content is what a user sent in an image message, as LINE keeps it.
type content struct {
	userID    string
	data      []byte
	mediaType string
	at        time.Time
}

// contentLife is how long LINE keeps what users send; after it the
// content endpoint answers 404.
const contentLife = 14 * 24 * time.Hour

// SampleJPEG is a small valid JPEG, the content of SendImage's messages.
var SampleJPEG = sampleJPEG()

func sampleJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 0xe0 // a pale grey, like a photo of a nappy
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		panic(err) // encoding to memory does not fail
	}
	return b.Bytes()
}

var messageIDPattern = regexp.MustCompile(`^[0-9]{1,32}$`)

// handleContent serves GET /v2/bot/message/{messageId}/content, on LINE
// the api-data host: the bytes of an image a user sent through this sim.
// Anything else (a message id it never issued, a text message's id, the
// content of a message past LINE's keeping time) is a 404, as on LINE.
func (s *Sim) handleContent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("messageId")
	if !messageIDPattern.MatchString(id) {
		s.reject(w, r, http.StatusBadRequest, "Invalid message id", fmt.Sprintf("message id %q is not numeric", id))
		return
	}
	s.mu.Lock()
	c, ok := s.contents[id]
	now := s.now()
	s.mu.Unlock()
	switch {
	case !ok:
		s.reject(w, r, http.StatusNotFound, "Not found", fmt.Sprintf("content of message %s, which is not an image this sim sent", id))
		return
	case now.Sub(c.at) > contentLife:
		s.reject(w, r, http.StatusNotFound, "Not found", "content past LINE's keeping time")
		return
	}
	w.Header().Set("Content-Type", c.mediaType)
	w.Header().Set("Content-Length", strconv.Itoa(len(c.data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(c.data)
}
