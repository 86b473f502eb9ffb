#pragma once
// Where each volume of a pod lives on the host, and what its container sees:
//   persistentVolumeClaim → <state>/pvcs/<ns>/<claim>/   (outlives the pod)
//   configMap / secret    → <pod dir>/volumes/<volume>/ with one file per key
//   hostPath              → <state>/node/<path>           (a fake node root)
//   emptyDir              → <pod dir>/volumes/<volume>/   (fresh per pod)
// Pure: the caller reads the referenced objects and writes the files.

#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/base64.hpp"
#include "util/expected.hpp"

namespace druid::localenv {

struct VolumeFile {
  std::string path;  // relative to the volume directory
  std::string content;
  int mode = 0644;
};

struct ResolvedVolume {
  std::string name;
  std::string kind;  // persistentVolumeClaim, configMap, secret, hostPath, emptyDir
  std::filesystem::path host_path;
  std::vector<VolumeFile> files;  // configMap / secret only
  bool fresh = false;             // emptyDir, configMap, secret: emptied before the pod starts
};

struct ContainerMount {
  std::filesystem::path host_path;
  std::string container_path;
  bool read_only = false;
};

struct PodLayout {
  std::filesystem::path state_dir;
  std::filesystem::path pod_dir;  // <state>/pods/<ns>/<pod>
};

inline PodLayout pod_layout(const std::filesystem::path& state_dir, const std::string& ns,
                            const std::string& pod) {
  return {state_dir, state_dir / "pods" / ns / pod};
}

// (kind "ConfigMap"/"Secret", name) → the object, nullopt when missing.
using ObjectLookup =
    std::function<std::optional<nlohmann::json>(const std::string& kind, const std::string& name)>;

namespace detail {

// Keys of a ConfigMap/Secret as (key → bytes).
inline std::map<std::string, std::string> object_bytes(const nlohmann::json& object, bool secret) {
  std::map<std::string, std::string> out;
  const auto data = object.value("data", nlohmann::json::object());
  for (const auto& [key, value] : data.items()) {
    if (!value.is_string()) continue;
    if (secret) {
      out[key] = util::base64_decode(value.get<std::string>()).value_or("");
    } else {
      out[key] = value.get<std::string>();
    }
  }
  const auto binary = object.value("binaryData", nlohmann::json::object());
  for (const auto& [key, value] : binary.items()) {
    if (value.is_string()) out[key] = util::base64_decode(value.get<std::string>()).value_or("");
  }
  return out;
}

inline bool safe_relative(const std::string& path) {
  if (path.empty() || path[0] == '/') return false;
  for (const auto& part : std::filesystem::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace detail

inline util::Expected<std::map<std::string, ResolvedVolume>, std::string> resolve_volumes(
    const nlohmann::json& pod, const PodLayout& layout, const ObjectLookup& lookup) {
  std::map<std::string, ResolvedVolume> out;
  const std::string ns = pod.at("metadata").value("namespace", "");
  for (const auto& volume :
       pod.value(nlohmann::json::json_pointer("/spec/volumes"), nlohmann::json::array())) {
    ResolvedVolume resolved;
    resolved.name = volume.value("name", "");
    const auto fail = [&](const std::string& why) {
      return util::Unexpected<std::string>{"volume \"" + resolved.name + "\": " + why};
    };
    if (volume.contains("persistentVolumeClaim")) {
      resolved.kind = "persistentVolumeClaim";
      const std::string claim = volume["persistentVolumeClaim"].value("claimName", "");
      if (claim.empty()) return fail("persistentVolumeClaim.claimName is empty");
      resolved.host_path = layout.state_dir / "pvcs" / ns / claim;
    } else if (volume.contains("hostPath")) {
      resolved.kind = "hostPath";
      const std::string path = volume["hostPath"].value("path", "");
      if (path.empty() || path[0] != '/') return fail("hostPath.path must be absolute");
      resolved.host_path = layout.state_dir / "node" / path.substr(1);
    } else if (volume.contains("emptyDir")) {
      resolved.kind = "emptyDir";
      resolved.fresh = true;
      resolved.host_path = layout.pod_dir / "volumes" / resolved.name;
    } else if (volume.contains("configMap") || volume.contains("secret")) {
      const bool secret = volume.contains("secret");
      resolved.kind = secret ? "secret" : "configMap";
      resolved.fresh = true;
      resolved.host_path = layout.pod_dir / "volumes" / resolved.name;
      const auto& source = secret ? volume["secret"] : volume["configMap"];
      const std::string object_name = source.value(secret ? "secretName" : "name", "");
      const bool optional = source.value("optional", false);
      const int default_mode = source.value("defaultMode", 0644);
      const auto object = lookup(secret ? "Secret" : "ConfigMap", object_name);
      if (!object) {
        if (optional) {
          out[resolved.name] = resolved;
          continue;
        }
        return fail(std::string(secret ? "secret" : "configmap") + " \"" + object_name +
                    "\" not found");
      }
      const auto bytes = detail::object_bytes(*object, secret);
      if (source.contains("items") && source["items"].is_array()) {
        for (const auto& item : source["items"]) {
          const std::string key = item.value("key", "");
          const std::string path = item.value("path", key);
          const auto it = bytes.find(key);
          if (it == bytes.end()) {
            if (optional) continue;
            return fail("key \"" + key + "\" not found in \"" + object_name + "\"");
          }
          if (!detail::safe_relative(path))
            return fail("item path \"" + path + "\" is not relative");
          resolved.files.push_back({path, it->second, item.value("mode", default_mode)});
        }
      } else {
        for (const auto& [key, content] : bytes) {
          resolved.files.push_back({key, content, default_mode});
        }
      }
    } else {
      // Projected and other sources are not needed by druid's pods.
      continue;
    }
    out[resolved.name] = resolved;
  }
  return out;
}

inline util::Expected<std::vector<ContainerMount>, std::string> container_mounts(
    const nlohmann::json& container, const std::map<std::string, ResolvedVolume>& volumes) {
  std::vector<ContainerMount> out;
  for (const auto& mount : container.value("volumeMounts", nlohmann::json::array())) {
    const std::string name = mount.value("name", "");
    const std::string path = mount.value("mountPath", "");
    const auto it = volumes.find(name);
    if (it == volumes.end()) {
      return util::Unexpected<std::string>{"volumeMount \"" + name + "\": no such volume"};
    }
    if (path.empty() || path[0] != '/') {
      return util::Unexpected<std::string>{"volumeMount \"" + name + "\": mountPath \"" + path +
                                           "\" must be absolute"};
    }
    ContainerMount m;
    m.host_path = it->second.host_path;
    const std::string sub_path = mount.value("subPath", "");
    if (!sub_path.empty()) {
      if (!detail::safe_relative(sub_path)) {
        return util::Unexpected<std::string>{"volumeMount \"" + name + "\": bad subPath"};
      }
      m.host_path /= sub_path;
    }
    m.container_path = path;
    m.read_only = mount.value("readOnly", false) || it->second.kind == "configMap" ||
                  it->second.kind == "secret";
    out.push_back(m);
  }
  return out;
}

}  // namespace druid::localenv
