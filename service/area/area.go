// Package area keeps the city → town → community tree and answers which
// communities a console account may see.
package area

import (
	"context"
	"errors"
	"sync"
	"time"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/errs"
)

// Node is an area with its children, as the public tree shows it.
type Node struct {
	ID       uint64  `json:"id"`
	Name     string  `json:"name"`
	Level    string  `json:"level"`
	Children []*Node `json:"children"`
}

// Service answers area questions from an in-memory copy of the tree, which
// is small (a province has tens of thousands of communities) and changes
// rarely; the copy is refreshed after a short time.
type Service struct {
	db     *gorm.DB
	now    func() time.Time
	maxAge time.Duration
	mu     sync.Mutex
	loaded time.Time
	byID   map[uint64]*model.Area
	kids   map[uint64][]uint64
	roots  []uint64
}

// NewService builds the area service.
func NewService(db *gorm.DB, now func() time.Time) *Service {
	return &Service{db: db, now: now, maxAge: time.Minute}
}

// Scope is the set of communities a caller may see. All means no limit.
type Scope struct {
	All bool
	ids map[uint64]bool
}

// Contains says whether area id is inside the scope.
func (s Scope) Contains(id uint64) bool { return s.All || s.ids[id] }

// IDs lists the areas of a limited scope (nil when All).
func (s Scope) IDs() []uint64 {
	if s.All {
		return nil
	}
	out := make([]uint64, 0, len(s.ids))
	for id := range s.ids {
		out = append(out, id)
	}
	return out
}

// Everywhere is the admin's scope.
func Everywhere() Scope { return Scope{All: true} }

// Subtree is the scope of an account bound to area id: the area and
// everything under it.
func (s *Service) Subtree(ctx context.Context, id uint64) (Scope, error) {
	if err := s.refresh(ctx); err != nil {
		return Scope{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[id]; !ok {
		return Scope{ids: map[uint64]bool{}}, nil
	}
	ids := map[uint64]bool{}
	stack := []uint64{id}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ids[n] = true
		stack = append(stack, s.kids[n]...)
	}
	return Scope{ids: ids}, nil
}

// Narrow limits scope to the subtree of id (a filter the caller asked for).
// An id outside the caller's own scope gives an empty scope.
func (s *Service) Narrow(ctx context.Context, scope Scope, id uint64) (Scope, error) {
	sub, err := s.Subtree(ctx, id)
	if err != nil || scope.All {
		return sub, err
	}
	for n := range sub.ids {
		if !scope.ids[n] {
			delete(sub.ids, n)
		}
	}
	return sub, nil
}

// Get returns one area.
func (s *Service) Get(ctx context.Context, id uint64) (model.Area, error) {
	if err := s.refresh(ctx); err != nil {
		return model.Area{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	if !ok {
		return model.Area{}, errs.ErrNotFound
	}
	return *a, nil
}

// Community returns area id if it is a community; houses belong to one.
func (s *Service) Community(ctx context.Context, id uint64) (model.Area, error) {
	a, err := s.Get(ctx, id)
	if err != nil || a.Level != model.LevelCommunity {
		return a, errs.Invalid("area_id", "community")
	}
	return a, nil
}

// Tree returns the whole tree.
func (s *Service) Tree(ctx context.Context) ([]*Node, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var build func(id uint64) *Node
	build = func(id uint64) *Node {
		a := s.byID[id]
		n := &Node{ID: a.ID, Name: a.Name, Level: a.Level, Children: []*Node{}}
		for _, k := range s.kids[id] {
			n.Children = append(n.Children, build(k))
		}
		return n
	}
	out := []*Node{}
	for _, r := range s.roots {
		out = append(out, build(r))
	}
	return out, nil
}

func (s *Service) refresh(ctx context.Context) error {
	s.mu.Lock()
	fresh := !s.loaded.IsZero() && s.now().Sub(s.loaded) < s.maxAge
	s.mu.Unlock()
	if fresh {
		return nil
	}
	var areas []model.Area
	if err := s.db.WithContext(ctx).Order("id").Find(&areas).Error; err != nil {
		return err
	}
	byID := make(map[uint64]*model.Area, len(areas))
	kids := map[uint64][]uint64{}
	var roots []uint64
	for i := range areas {
		a := &areas[i]
		byID[a.ID] = a
		if a.ParentID == nil {
			roots = append(roots, a.ID)
		} else {
			kids[*a.ParentID] = append(kids[*a.ParentID], a.ID)
		}
	}
	s.mu.Lock()
	s.byID, s.kids, s.roots, s.loaded = byID, kids, roots, s.now()
	s.mu.Unlock()
	return nil
}

// Find loads the row with id into a T whose area is areaOf(row). A row
// outside scope is as good as missing: ids cannot be probed.
func Find[T any](ctx context.Context, db *gorm.DB, scope Scope, id uint64, areaOf func(*T) uint64) (T, error) {
	var row T
	err := db.WithContext(ctx).First(&row, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !scope.Contains(areaOf(&row))) {
		return row, errs.ErrNotFound
	}
	return row, err
}
