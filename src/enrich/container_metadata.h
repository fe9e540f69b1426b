// Reads what the container runtimes leave on the host about one container:
// name, image, Kubernetes pod and namespace, OCI bundle and root filesystem.
// Sources, first found wins per field:
//  - docker: the Engine API (DockerClient, when given), else
//    /var/lib/docker/containers/<id>/config.v2.json;
//  - the OCI bundle's config.json, runtime-agnostic: containerd shim v2 task
//    dirs (namespaces k8s.io, moby, default; Docker's own containerd under
//    /run/docker/containerd/daemon), CRI-O/podman userdata dirs, and the
//    bundle named by runc state.json (/run/runc, Docker's and containerd's
//    runc roots) or crun's status file; its annotations (CRI, CRI-O,
//    nerdctl) and root.path (made absolute against the bundle);
//  - podman: the container's name and image from containers/storage's
//    containers.json and images.json;
//  - plain runc and crun: name = id.
// Fields no source has stay empty. Thread-safe when the FileReader and
// DockerClient are; keeps references to both. Never throws.
#pragma once

#include <string>

#include "core/container_info.h"
#include "enrich/docker_client.h"
#include "enrich/file_reader.h"

namespace cshield {

class ContainerMetadataReader {
 public:
  ContainerMetadataReader(const FileReader& files, const DockerClient* docker) : files_(files), docker_(docker) {}
  ContainerInfo read(const std::string& runtime, const std::string& id) const;

 private:
  void read_docker(ContainerInfo& info) const;
  void read_bundle(ContainerInfo& info) const;
  void read_podman_storage(ContainerInfo& info) const;
  bool read_oci_config(const std::string& bundle, ContainerInfo& info) const;
  bool read_runc_state(const std::string& path, ContainerInfo& info) const;
  bool read_crun_status(const std::string& path, ContainerInfo& info) const;

  const FileReader& files_;
  const DockerClient* docker_;
};

}  // namespace cshield
