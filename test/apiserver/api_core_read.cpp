// get, list and watch.
#include <fmt/format.h>

#include "apiserver/api_core.hpp"
#include "apiserver/api_core_internal.hpp"
#include "apiserver/scale.hpp"
#include "apiserver/table.hpp"
#include "apiserver/table_adapter.hpp"

namespace druid::testing {

using nlohmann::json;

namespace {

constexpr const char* kPartialObjectMetadata = "PartialObjectMetadata";
constexpr const char* kPartialObjectMetadataList = "PartialObjectMetadataList";

// "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1".
std::string partial_metadata_content_type(std::string_view kind, std::string_view group_version) {
  return fmt::format("application/json;as={};g=meta.k8s.io;v={}", kind,
                     group_version.substr(group_version.find('/') + 1));
}

}  // namespace

ApiResponse ApiCore::get(Context& ctx) {
  json object;
  {
    std::lock_guard lock(mutex_);
    const json* found = store_.get({ctx.type.storage_key(), ctx.info.ns, ctx.info.name});
    if (found == nullptr) return ApiResponse::error(not_found(ctx.resource(), ctx.info.name));
    object = render(ctx.type, *found);
  }
  if (ctx.info.subresource == "scale")
    return ApiResponse::json_body(200, scale_of(ctx.type, object));
  auto table = table_request(ctx.request.accept, ctx.request.query);
  if (!table) return ApiResponse::error(table.error());
  if (*table) {
    ApiResponse r = ApiResponse::json_body(200, object_table(ctx.type, object, **table));
    r.content_type = table_response_content_type(**table);
    return r;
  }
  if (auto partial = negotiate_as(ctx.request.accept, kPartialObjectMetadata)) {
    ApiResponse r = ApiResponse::json_body(200, partial_object_metadata(object, *partial));
    r.content_type = partial_metadata_content_type(kPartialObjectMetadata, *partial);
    return r;
  }
  return ApiResponse::json_body(200, std::move(object));
}

ApiResponse ApiCore::list_response(Context& ctx, std::vector<json> items, const json& list_meta) {
  auto table = table_request(ctx.request.accept, ctx.request.query);
  if (!table) return ApiResponse::error(table.error());
  if (*table) {
    for (auto& item : items) item = render(ctx.type, std::move(item));
    ApiResponse r = ApiResponse::json_body(200, list_table(ctx.type, items, list_meta, **table));
    r.content_type = table_response_content_type(**table);
    return r;
  }
  // client-go's metadata client (controller-runtime's metadata-only informers).
  if (auto partial = negotiate_as(ctx.request.accept, kPartialObjectMetadataList)) {
    for (auto& item : items) item = partial_object_metadata(render(ctx.type, item), *partial);
    ApiResponse r = ApiResponse::json_body(200, {{"kind", kPartialObjectMetadataList},
                                                 {"apiVersion", *partial},
                                                 {"metadata", list_meta},
                                                 {"items", std::move(items)}});
    r.content_type = partial_metadata_content_type(kPartialObjectMetadataList, *partial);
    return r;
  }
  for (auto& item : items) {
    if (ctx.type.custom) {
      item = render(ctx.type, std::move(item));
    } else {
      // Typed lists of built-in types carry no per-item apiVersion and kind.
      item.erase("apiVersion");
      item.erase("kind");
    }
  }
  return ApiResponse::json_body(200, {{"kind", ctx.type.list_kind},
                                      {"apiVersion", ctx.type.api_version()},
                                      {"metadata", list_meta},
                                      {"items", std::move(items)}});
}

ApiResponse ApiCore::list(Context& ctx) {
  auto options = parse_list_options(ctx.request.query, ctx.type);
  if (!options) return ApiResponse::error(options.error());
  util::Expected<Page, StatusError> page = util::unexpected(internal_error("unset"));
  {
    std::lock_guard lock(mutex_);
    std::vector<const json*> objects;
    std::vector<json> snapshot;
    const std::int64_t current = store_.current_resource_version();
    std::int64_t version = current;
    if (!options->continue_token.empty()) {
      auto token = decode_continue(options->continue_token);
      if (!token) return ApiResponse::error(token.error());
      version = token->resource_version;
    } else if (options->resource_version_match == "Exact" && !options->resource_version.empty()) {
      version = std::stoll(options->resource_version);
      if (version > current) {
        return ApiResponse::error(
            timeout(fmt::format("Too large resource version: {}, current: {}", version, current)));
      }
    }
    if (version < current) {
      // Later pages show the list as it was when the first page was served.
      auto past = store_.list_at(ctx.type.storage_key(), ctx.info.ns, version);
      if (std::holds_alternative<ExpiredVersion>(past)) {
        return ApiResponse::error(expired(
            "The provided continue parameter is too old to display a consistent list result. "
            "You can start a new list without the continue parameter, or use the continue "
            "token in this response to retrieve the remainder of the results. Continuing with "
            "the provided token results in an inconsistent list - objects that were created, "
            "modified, or deleted between the time the first chunk was returned and now may "
            "show up in the list."));
      }
      snapshot = std::get<std::vector<json>>(std::move(past));
      for (const json& o : snapshot) objects.push_back(&o);
    } else if (auto name = options->field_selector.required_value("metadata.name");
               name && !(ctx.info.ns.empty() && ctx.type.namespaced)) {
      // A list by name (kubectl delete --wait, informers of one object) is a lookup.
      if (const json* o = store_.get({ctx.type.storage_key(), ctx.info.ns, *name})) {
        objects.push_back(o);
      }
    } else {
      objects = store_.list(ctx.type.storage_key(), ctx.info.ns);
    }
    page = paginate(objects, *options, version);
  }
  if (!page) return ApiResponse::error(page.error());
  json meta = {{"resourceVersion", std::to_string(page->resource_version)}};
  if (!page->continue_token.empty()) meta["continue"] = page->continue_token;
  if (page->remaining_item_count) meta["remainingItemCount"] = *page->remaining_item_count;
  return list_response(ctx, std::move(page->items), meta);
}

ApiResponse ApiCore::watch(Context& ctx) {
  auto options = parse_list_options(ctx.request.query, ctx.type);
  if (!options) return ApiResponse::error(options.error());
  if (!ctx.info.name.empty()) {
    // GET /watch/<resource>/<name> watches one object.
    options->field_selector = *FieldSelector::parse("metadata.name=" + ctx.info.name);
  }
  std::lock_guard lock(mutex_);
  if (shut_down_) return ApiResponse::error(internal_error("the server is shutting down"));
  ApiResponse response;
  const std::int64_t current = store_.current_resource_version();
  if (expire_next_watches_ > 0) {
    --expire_next_watches_;
    const std::string requested =
        options->resource_version.empty() ? "0" : options->resource_version;
    response.watch = WatchStream::failed(
        expired(fmt::format("too old resource version: {} ({})", requested, current)));
    return response;
  }
  std::vector<json> initial;
  std::int64_t from = current;
  const std::string& rv = options->resource_version;
  if (rv.empty() || rv == "0") {
    for (const json* o : store_.list(ctx.type.storage_key(), ctx.info.ns)) {
      if (matches(*options, *o)) initial.push_back(*o);
    }
  } else {
    from = std::stoll(rv);
  }
  auto channel = store_.watch(ctx.type.storage_key(), ctx.info.ns, from);
  if (auto* too_old = std::get_if<ExpiredVersion>(&channel)) {
    response.watch = WatchStream::failed(expired(
        fmt::format("too old resource version: {} ({})", too_old->requested, too_old->oldest)));
    return response;
  }
  WatchStream::Transform transform;
  auto table = table_request(ctx.request.accept, ctx.request.query);
  if (!table) return ApiResponse::error(table.error());
  if (*table) {
    // Each event carries a one-row Table; only the first has the column definitions.
    auto options = std::make_shared<TableOptions>(**table);
    ResourceType type = ctx.type;
    transform = [type, options](const json& object) {
      json t = object_table(type, object, *options);
      options->no_headers = true;
      return t;
    };
    response.content_type = table_response_content_type(**table);
  } else if (auto partial = negotiate_as(ctx.request.accept, kPartialObjectMetadata)) {
    transform = [group_version = *partial](const json& object) {
      return partial_object_metadata(object, group_version);
    };
    response.content_type = partial_metadata_content_type(kPartialObjectMetadata, *partial);
  }
  response.watch = std::make_shared<WatchStream>(
      ctx.type, std::move(*options), std::get<std::shared_ptr<WatchChannel>>(channel),
      std::move(initial), from, options_.watch, std::move(transform));
  std::erase_if(streams_, [](const std::weak_ptr<WatchStream>& w) { return w.expired(); });
  streams_.push_back(response.watch);
  return response;
}

}  // namespace druid::testing
