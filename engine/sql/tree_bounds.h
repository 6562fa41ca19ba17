/*-------------------------------------------------------------------------
 * tree_bounds.h
 *   Walking trees whose shape a client chose, within bounds: text that
 *   describes a tree (a parse tree for the "parse" event, a bound
 *   expression in a plan), and freeing a tree without recursion.
 *
 * NOTES
 *   A client decides how deep and how wide its query's trees are, so the
 *   printers must stay bounded in both: a subtree deeper than
 *   kMaxTreeTextDepth prints as "...", and the text stops at
 *   kMaxTreeTextLength bytes (at a character boundary, so it stays valid
 *   UTF-8 for the JSON event stream) followed by "...". With the depth
 *   bound the printers' own recursion is shallow; they never call
 *   CheckStackDepth and never fail.
 *
 *   RawExpr and Expr free their children with DestroyChildren: a tree
 *   of a million nodes (1+1+1...) would overflow the stack if each node's
 *   destructor destroyed its children recursively.
 *-------------------------------------------------------------------------
 */
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minipg::sql {

inline constexpr int kMaxTreeTextDepth = 32;
inline constexpr size_t kMaxTreeTextLength = 8192;

class TreeText {
 public:
  /* Appends `s`, or as much of it as fits. */
  void Add(std::string_view s) {
    if (full_) {
      return;
    }
    if (out_.size() + s.size() <= kMaxTreeTextLength) {
      out_.append(s);
      return;
    }
    size_t n = kMaxTreeTextLength - out_.size();
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) {
      --n;  // s[n] continues a character: cut before that character
    }
    out_.append(s.substr(0, n));
    full_ = true;
  }
  /* True once something was left out: callers may stop walking. */
  bool Full() const { return full_; }
  /* The text, with "..." where it was cut. */
  std::string Take() { return full_ ? std::move(out_) + "..." : std::move(out_); }

 private:
  std::string out_;
  bool full_ = false;
};

/* Frees the subtrees in `args` one node at a time: each node's children
 * move to a worklist before the node goes, so no destructor recurses. */
template <typename Ptr>
void DestroyChildren(std::vector<Ptr>& args) {
  std::vector<Ptr> pending = std::move(args);
  while (!pending.empty()) {
    Ptr node = std::move(pending.back());
    pending.pop_back();
    if (node != nullptr) {
      for (Ptr& child : node->args) {
        pending.push_back(std::move(child));
      }
      node->args.clear();
    }
  }
}

}  // namespace minipg::sql
