// A map with a fixed capacity that evicts its least recently used entry when
// a new key would exceed it. find() and insert() count as use. Not
// thread-safe. Pointers and references to values stay valid until that
// entry is erased or evicted.
#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace cshield {

template <typename K, typename V>
class LruMap {
 public:
  explicit LruMap(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The value of `key`, marked as most recently used; nullptr when absent.
  V* find(const K& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  // The value of `key`, default-constructed (after evicting the least
  // recently used entry if full) when absent; marked as most recently used.
  V& get_or_insert(const K& key) {
    if (V* v = find(key)) return *v;
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(key, V{});
    index_.emplace(key, order_.begin());
    return order_.front().second;
  }

  void erase(const K& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }

  std::size_t size() const { return index_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  using Entry = std::pair<K, V>;
  std::size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<K, typename std::list<Entry>::iterator> index_;
};

}  // namespace cshield
