package linesim

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// maxJSONBody caps JSON request bodies; LINE's own limit is 2 MB.
const maxJSONBody = 2 << 20

// routes is the one route table of the fake Messaging API. The bot points the
// SDK's api and api-data clients at the same base URL, so blob endpoints live
// here too.
func (s *Sim) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/bot/message/reply", s.handleReply)
	mux.HandleFunc("POST /v2/bot/message/push", s.handlePush)
	mux.HandleFunc("GET /v2/bot/message/quota", s.handleQuota)
	mux.HandleFunc("GET /v2/bot/message/quota/consumption", s.handleQuotaConsumption)
	mux.HandleFunc("GET /v2/bot/profile/{userId}", s.handleProfile)
	mux.HandleFunc("GET /v2/bot/message/{messageId}/content", s.handleContent)
	mux.HandleFunc("POST /v2/bot/richmenu", s.handleCreateRichMenu)
	mux.HandleFunc("POST /v2/bot/richmenu/validate", s.handleValidateRichMenu)
	mux.HandleFunc("POST /v2/bot/richmenu/{richMenuId}/content", s.handleRichMenuContent)
	mux.HandleFunc("GET /v2/bot/richmenu/list", s.handleListRichMenus)
	mux.HandleFunc("GET /v2/bot/richmenu/{richMenuId}", s.handleGetRichMenu)
	mux.HandleFunc("DELETE /v2/bot/richmenu/{richMenuId}", s.handleDeleteRichMenu)
	mux.HandleFunc("POST /v2/bot/user/all/richmenu/{richMenuId}", s.handleSetDefaultRichMenu)
	mux.HandleFunc("GET /v2/bot/user/all/richmenu", s.handleGetDefaultRichMenu)
	mux.HandleFunc("DELETE /v2/bot/user/all/richmenu", s.handleCancelDefaultRichMenu)
	// Everything else, including a known path with the wrong method, is
	// something the bot should not be calling.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.reject(w, r, http.StatusNotFound, "Not found", "no such endpoint in the sim")
	})
	return s.common(mux)
}

// common does what LINE does before any endpoint runs: a request id on every
// response, injected latency, authentication, then injected faults.
func (s *Sim) common(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-line-request-id", newUUID())

		if d := s.delayFor(r.URL.Path); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if r.Header.Get("Authorization") != "Bearer "+s.token {
			s.reject(w, r, http.StatusUnauthorized,
				"Authentication failed. Confirm that the access token in the authorization header is valid.",
				"Authorization header is not \"Bearer <AccessToken>\"")
			return
		}
		if status, ok := s.takeFault(r.URL.Path); ok {
			writeError(w, status, faultMessage(status), nil)
			return
		}
		if h := s.takeHold(r.URL.Path); h != nil {
			s.serveHeld(w, r, next, h)
			return
		}
		if s.takeLost(r.URL.Path) {
			s.serveLost(w, r, next)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// errorDetail is one entry of LINE's error "details".
type errorDetail struct {
	Message  string `json:"message"`
	Property string `json:"property,omitempty"`
}

// errorBody is LINE's error response shape.
type errorBody struct {
	Message string        `json:"message"`
	Details []errorDetail `json:"details,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message string, details []errorDetail) {
	writeJSON(w, status, errorBody{Message: message, Details: details})
}

// reject answers with LINE's error body and records the refusal so tests can
// assert the bot never sent anything LINE would refuse. message is what LINE
// itself would say; reason explains the refusal to the test author.
func (s *Sim) reject(w http.ResponseWriter, r *http.Request, status int, message, reason string, details ...errorDetail) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectLocked(w, r, status, message, reason, details...)
}

// rejectLocked is reject for callers that hold s.mu.
func (s *Sim) rejectLocked(w http.ResponseWriter, r *http.Request, status int, message, reason string, details ...errorDetail) {
	for _, d := range details {
		if d.Property != "" {
			reason += fmt.Sprintf("; %s: %s", d.Property, d.Message)
		} else {
			reason += "; " + d.Message
		}
	}
	s.rejected = append(s.rejected, Rejection{Status: status, Method: r.Method, Path: r.URL.Path, Reason: reason})
	writeError(w, status, message, details)
}

// rejectInvalid answers a body that broke one or more rules, in LINE's words.
func (s *Sim) rejectInvalid(w http.ResponseWriter, r *http.Request, details []errorDetail) {
	msg := "The request body has 1 error(s)"
	if len(details) != 1 {
		msg = fmt.Sprintf("The request body has %d error(s)", len(details))
	}
	s.reject(w, r, http.StatusBadRequest, msg, "invalid request body", details...)
}

// readJSONBody checks the Content-Type and reads a capped JSON body. It
// answers the request itself when it returns false.
func (s *Sim) readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		s.reject(w, r, http.StatusUnsupportedMediaType, "Unsupported Media Type",
			fmt.Sprintf("Content-Type %q, want application/json", r.Header.Get("Content-Type")))
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		s.reject(w, r, http.StatusBadRequest, "The request body could not be read", err.Error())
		return nil, false
	}
	if len(body) > maxJSONBody {
		s.reject(w, r, http.StatusRequestEntityTooLarge, "Request Entity Too Large", "JSON body over 2 MB")
		return nil, false
	}
	return body, true
}
