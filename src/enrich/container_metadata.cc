#include "enrich/container_metadata.h"

#include <initializer_list>

#include "enrich/docker_socket_client.h"
#include "enrich/json_fields.h"

namespace cshield {
namespace {

constexpr std::size_t kMaxStorageIndexBytes = 16 << 20;  // containers.json lists every container

void set_if_empty(std::string& field, const std::string& value) {
  if (field.empty()) field = value;
}
void set_if_empty(std::optional<std::string>& field, const std::string& value) {
  if (!field && !value.empty()) field = value;
}

std::string first_annotation(const Poco::JSON::Object::Ptr& annotations, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    std::string v = json::string(annotations, key);
    if (!v.empty()) return v;
  }
  return {};
}

std::string absolute_against(const std::string& dir, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return dir + "/" + path;
}

// The object of a JSON array document whose "id" is `id`; null when none.
Poco::JSON::Object::Ptr find_by_id(const Poco::JSON::Array::Ptr& arr, const std::string& id) {
  for (unsigned i = 0; arr && i < arr->size(); ++i) {
    auto item = json::object_at(arr, i);
    if (json::string(item, "id") == id) return item;
  }
  return {};
}

}  // namespace

ContainerInfo ContainerMetadataReader::read(const std::string& runtime, const std::string& id) const {
  ContainerInfo info;
  info.id = id;
  info.runtime = runtime;
  try {
    if (runtime == "docker") read_docker(info);
    read_bundle(info);
    if (runtime == "podman") read_podman_storage(info);
    if (runtime == "runc" || runtime == "crun") set_if_empty(info.name, id);
  } catch (...) {
    // Keep what was found before the failure.
  }
  return info;
}

void ContainerMetadataReader::read_docker(ContainerInfo& info) const {
  std::optional<DockerContainer> c;
  if (docker_) c = docker_->inspect(info.id);
  if (!c) {
    if (auto text = files_.read("/var/lib/docker/containers/" + info.id + "/config.v2.json"))
      c = parse_docker_container_json(*text);
  }
  if (!c) return;
  set_if_empty(info.name, c->name);
  set_if_empty(info.image, c->image);
  // Kubernetes over dockershim labels its containers.
  auto label = [&](const char* key) {
    auto it = c->labels.find(key);
    return it == c->labels.end() ? std::string{} : it->second;
  };
  set_if_empty(info.pod, label("io.kubernetes.pod.name"));
  set_if_empty(info.namespace_, label("io.kubernetes.pod.namespace"));
  for (const auto& [key, value] : c->labels) info.labels.emplace(key, value);
}

void ContainerMetadataReader::read_bundle(ContainerInfo& info) const {
  const std::string& id = info.id;
  auto from_state = [&] {
    return read_runc_state("/run/runc/" + id + "/state.json", info) ||
           read_crun_status("/run/crun/" + id + "/status", info) ||
           read_runc_state("/run/docker/runtime-runc/moby/" + id + "/state.json", info) ||
           read_runc_state("/run/containerd/runc/k8s.io/" + id + "/state.json", info) ||
           read_runc_state("/run/containerd/runc/default/" + id + "/state.json", info);
  };
  auto from_bundle_dirs = [&] {
    for (const char* dir : {"/run/containerd/io.containerd.runtime.v2.task/k8s.io/",
                            "/run/containerd/io.containerd.runtime.v2.task/moby/",
                            "/run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby/",
                            "/run/containerd/io.containerd.runtime.v2.task/default/"}) {
      if (read_oci_config(dir + id, info)) return true;
    }
    for (const char* dir : {"/run/containers/storage/overlay-containers/",
                            "/var/lib/containers/storage/overlay-containers/"}) {
      if (read_oci_config(dir + id + "/userdata", info)) return true;
    }
    return false;
  };
  if (info.runtime == "runc" || info.runtime == "crun") {
    if (!from_state()) from_bundle_dirs();
  } else if (!from_bundle_dirs()) {
    from_state();
  }
}

// True when `bundle`/config.json was read (even if it held nothing useful).
bool ContainerMetadataReader::read_oci_config(const std::string& bundle, ContainerInfo& info) const {
  auto text = files_.read(bundle + "/config.json");
  if (!text) return false;
  info.bundle = bundle;
  auto config = json::parse_object(*text);
  if (!config) return true;  // malformed: the bundle is still known
  auto annotations = json::object(config, "annotations");
  if (annotations)
    for (const auto& key : annotations->getNames()) info.labels.emplace(key, json::string(annotations, key));
  set_if_empty(info.name, first_annotation(annotations, {"io.kubernetes.cri.container-name",
                                                         "io.kubernetes.container.name", "nerdctl/name"}));
  set_if_empty(info.pod, first_annotation(annotations, {"io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"}));
  set_if_empty(info.namespace_, first_annotation(annotations, {"io.kubernetes.cri.sandbox-namespace",
                                                               "io.kubernetes.pod.namespace"}));
  set_if_empty(info.image, first_annotation(annotations, {"io.kubernetes.cri.image-name",
                                                          "io.kubernetes.cri-o.ImageName"}));
  std::string root = json::string(json::object(config, "root"), "path");
  if (!root.empty()) info.rootfs = absolute_against(bundle, root);
  return true;
}

// runc's state.json: config.labels holds "bundle=<dir>", config.rootfs the
// absolute root filesystem.
bool ContainerMetadataReader::read_runc_state(const std::string& path, ContainerInfo& info) const {
  auto text = files_.read(path);
  if (!text) return false;
  auto config = json::object(json::parse_object(*text), "config");
  auto labels = json::array(config, "labels");
  for (unsigned i = 0; labels && i < labels->size(); ++i) {
    std::string label = json::string_at(labels, i);
    if (label.rfind("bundle=", 0) == 0) {
      read_oci_config(label.substr(7), info);
      info.bundle = label.substr(7);
      break;
    }
  }
  set_if_empty(info.rootfs, json::string(config, "rootfs"));
  return true;
}

// crun's status file: {"bundle": "<dir>", "rootfs": "<dir>", ...}.
bool ContainerMetadataReader::read_crun_status(const std::string& path, ContainerInfo& info) const {
  auto text = files_.read(path);
  if (!text) return false;
  auto status = json::parse_object(*text);
  std::string bundle = json::string(status, "bundle");
  if (!bundle.empty()) {
    read_oci_config(bundle, info);
    info.bundle = bundle;
  }
  set_if_empty(info.rootfs, json::string(status, "rootfs"));
  return true;
}

void ContainerMetadataReader::read_podman_storage(ContainerInfo& info) const {
  auto containers = files_.read("/var/lib/containers/storage/overlay-containers/containers.json",
                                kMaxStorageIndexBytes);
  if (!containers) return;
  auto entry = find_by_id(json::parse_array(*containers), info.id);
  if (!entry) return;
  set_if_empty(info.name, json::string_at(json::array(entry, "names"), 0));
  if (!info.image.empty()) return;
  std::string image_id = json::string(entry, "image");
  auto images = files_.read("/var/lib/containers/storage/overlay-images/images.json", kMaxStorageIndexBytes);
  if (image_id.empty() || !images) return;
  std::string image_name = json::string_at(json::array(find_by_id(json::parse_array(*images), image_id), "names"), 0);
  set_if_empty(info.image, image_name.empty() ? image_id : image_name);
}

}  // namespace cshield
