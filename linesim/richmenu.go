package linesim

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // registers JPEG for image.DecodeConfig
	_ "image/png"  // registers PNG for image.DecodeConfig
	"io"
	"mime"
	"net/http"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

// maxRichMenuImage is LINE's size limit for a rich menu image.
const maxRichMenuImage = 1 << 20

type richMenu struct {
	req      messaging_api.RichMenuRequest
	hasImage bool
	// image is the uploaded picture, kept for the chat page to draw.
	image     []byte
	imageType string // image/png or image/jpeg
}

// RichMenus returns the rich menus the bot created and has not deleted, in
// creation order.
func (s *Sim) RichMenus() []messaging_api.RichMenuRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]messaging_api.RichMenuRequest, 0, len(s.menuOrder))
	for _, id := range s.menuOrder {
		out = append(out, s.menus[id].req)
	}
	return out
}

// DefaultRichMenuID returns the id of the default rich menu, "" if none.
func (s *Sim) DefaultRichMenuID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.defaultMenu
}

func (s *Sim) handleCreateRichMenu(w http.ResponseWriter, r *http.Request) {
	req, ok := s.decodeRichMenu(w, r, "/v2/bot/richmenu")
	if !ok {
		return
	}
	id := "richmenu-" + randomHex(16)
	s.mu.Lock()
	s.menus[id] = &richMenu{req: req}
	s.menuOrder = append(s.menuOrder, id)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, messaging_api.RichMenuIdResponse{RichMenuId: id})
}

func (s *Sim) handleValidateRichMenu(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.decodeRichMenu(w, r, "/v2/bot/richmenu/validate"); ok {
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

func (s *Sim) decodeRichMenu(w http.ResponseWriter, r *http.Request, pattern string) (messaging_api.RichMenuRequest, bool) {
	var req messaging_api.RichMenuRequest
	body, ok := s.readJSONBody(w, r)
	if !ok {
		return req, false
	}
	if details := s.validateJSON(r, pattern, nil, body, &req); len(details) > 0 {
		s.rejectInvalid(w, r, details)
		return req, false
	}
	return req, true
}

func (s *Sim) handleRichMenuContent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("richMenuId")
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "image/png" && mt != "image/jpeg") {
		s.reject(w, r, http.StatusUnsupportedMediaType, "Unsupported Media Type",
			fmt.Sprintf("Content-Type %q, want image/png or image/jpeg", r.Header.Get("Content-Type")))
		return
	}
	img, err := io.ReadAll(io.LimitReader(r.Body, maxRichMenuImage+1))
	if err != nil {
		s.reject(w, r, http.StatusBadRequest, "The request body could not be read", err.Error())
		return
	}
	if len(img) > maxRichMenuImage {
		s.reject(w, r, http.StatusRequestEntityTooLarge, "Request Entity Too Large", "rich menu image over 1 MB")
		return
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil || "image/"+format != mt {
		s.reject(w, r, http.StatusBadRequest, "The image is invalid",
			fmt.Sprintf("body is not a %s image", mt))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.menus[id]
	var why string
	switch {
	case m == nil:
		s.rejectLocked(w, r, http.StatusNotFound, "Not found", "no rich menu "+id)
		return
	case m.hasImage:
		why = "an image was already uploaded to this rich menu"
	case m.req.Size != nil && (int64(cfg.Width) != m.req.Size.Width || int64(cfg.Height) != m.req.Size.Height):
		why = fmt.Sprintf("image is %dx%d, rich menu size is %dx%d", cfg.Width, cfg.Height, m.req.Size.Width, m.req.Size.Height)
	}
	if why != "" {
		s.rejectLocked(w, r, http.StatusBadRequest, "An image has already been uploaded or does not match the rich menu size", why)
		return
	}
	m.hasImage = true
	m.image, m.imageType = img, mt
	writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Sim) handleListRichMenus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	list := messaging_api.RichMenuListResponse{Richmenus: []messaging_api.RichMenuResponse{}}
	for _, id := range s.menuOrder {
		list.Richmenus = append(list.Richmenus, menuResponse(id, s.menus[id].req))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, list)
}

func (s *Sim) handleGetRichMenu(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("richMenuId")
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.menus[id]
	if m == nil {
		s.rejectLocked(w, r, http.StatusNotFound, "Not found", "no rich menu "+id)
		return
	}
	writeJSON(w, http.StatusOK, menuResponse(id, m.req))
}

func (s *Sim) handleDeleteRichMenu(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("richMenuId")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.menus[id] == nil {
		s.rejectLocked(w, r, http.StatusNotFound, "Not found", "no rich menu "+id)
		return
	}
	delete(s.menus, id)
	for i, o := range s.menuOrder {
		if o == id {
			s.menuOrder = append(s.menuOrder[:i:i], s.menuOrder[i+1:]...)
			break
		}
	}
	if s.defaultMenu == id {
		s.defaultMenu = ""
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Sim) handleSetDefaultRichMenu(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("richMenuId")
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.menus[id]
	switch {
	case m == nil:
		s.rejectLocked(w, r, http.StatusNotFound, "Not found", "no rich menu "+id)
		return
	case !m.hasImage:
		// LINE refuses to show a rich menu that has no image yet.
		s.rejectLocked(w, r, http.StatusBadRequest, "must upload richmenu image before applying it to user",
			"rich menu "+id+" has no image")
		return
	}
	s.defaultMenu = id
	writeJSON(w, http.StatusOK, struct{}{})
}

func (s *Sim) handleGetDefaultRichMenu(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	id := s.defaultMenu
	s.mu.Unlock()
	if id == "" {
		// A legitimate question with a negative answer, not a Rejection.
		writeError(w, http.StatusNotFound, "no default richmenu", nil)
		return
	}
	writeJSON(w, http.StatusOK, messaging_api.RichMenuIdResponse{RichMenuId: id})
}

func (s *Sim) handleCancelDefaultRichMenu(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.defaultMenu = ""
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, struct{}{})
}

func menuResponse(id string, req messaging_api.RichMenuRequest) messaging_api.RichMenuResponse {
	return messaging_api.RichMenuResponse{
		RichMenuId:  id,
		Size:        req.Size,
		Selected:    req.Selected,
		Name:        req.Name,
		ChatBarText: req.ChatBarText,
		Areas:       req.Areas,
	}
}
