import AsyncHTTPClient
import Foundation
import NIOCore

/// One image of a request, as Roboflow's `InferenceRequestImage`: `{"type": "base64"|"url", "value": …}`.
enum ImageInput: Sendable {
    case bytes([UInt8])
    case url(URL)

    /// Parses one image object; `field` names it in errors ("image[2]").
    static func parse(_ json: Any, field: String) throws -> ImageInput {
        guard let object = json as? [String: Any] else {
            throw APIError.badRequest("\(field) must be an object {\"type\": \"base64\"|\"url\", \"value\": …}")
        }
        guard let type = object["type"] as? String else {
            throw APIError.badRequest("\(field).type must be a string: \"base64\" or \"url\"")
        }
        guard let value = object["value"] as? String else {
            throw APIError.badRequest("\(field).value must be a string")
        }
        switch type {
        case "base64":
            return .bytes(try decodeBase64(value, field: field))
        case "url":
            guard let url = URL(string: value) else { throw APIError.badRequest("\(field).value is not a URL") }
            return .url(url)
        default:
            throw APIError.badRequest("\(field).type \"\(type)\" is not supported (use \"base64\" or \"url\")")
        }
    }

    /// True when `json` looks like one image object rather than a list or a dict of prompts.
    static func isImageObject(_ json: Any) -> Bool {
        guard let object = json as? [String: Any] else { return false }
        return object["type"] != nil && object["value"] != nil
    }

    /// Standard base64, with or without padding, optionally behind a `data:…;base64,` prefix.
    static func decodeBase64(_ text: String, field: String) throws -> [UInt8] {
        var body = Substring(text)
        if body.hasPrefix("data:"), let comma = body.firstIndex(of: ",") { body = body[body.index(after: comma)...] }
        var clean = body.filter { !$0.isWhitespace }
        if clean.count % 4 != 0 { clean += String(repeating: "=", count: 4 - clean.count % 4) }
        guard !clean.isEmpty, let data = Data(base64Encoded: clean) else {
            throw APIError.badRequest("\(field).value is not valid base64")
        }
        return [UInt8](data)
    }
}

/// Fetches image URLs under a `URLImagePolicy`: http(s) only, allowed hosts only, no private
/// addresses unless allowed, no redirects, a size cap and a timeout.
///
/// The host is resolved once, every address it resolves to is checked, and the connection goes
/// to the first checked address (AsyncHTTPClient's DNS override): the name is never looked up a
/// second time, so a DNS server that answers a public address for the check and 127.0.0.1 for
/// the connection (DNS rebinding) gets nowhere. The request keeps the URL's host name in its
/// Host header and, for https, in TLS SNI and certificate verification.
struct ImageFetcher: Sendable {
    let policy: URLImagePolicy
    let maxBytes: Int
    /// Host name to numeric addresses (getaddrinfo; tests substitute their own DNS).
    var resolver: @Sendable (String) -> [String] = resolve

    /// Checks a URL against the policy without fetching it; returns the address to connect to.
    @discardableResult
    func check(_ url: URL) throws -> String {
        guard policy.enabled else {
            throw APIError(.badRequest, "InvalidInputError", "image URLs are disabled on this server (start it with --allow-url-images); send {\"type\": \"base64\"} instead")
        }
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw APIError.badRequest("only http and https image URLs are allowed")
        }
        guard let host = url.host?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")), !host.isEmpty else {
            throw APIError.badRequest("image URL has no host")
        }
        if !policy.allowedHosts.isEmpty && !policy.allowedHosts.contains(host) {
            throw APIError(.forbidden, "ForbiddenError", "image host \(host) is not in the allowed hosts")
        }
        let addresses = resolver(host)
        guard let first = addresses.first else { throw APIError.badRequest("image host \(host) does not resolve") }
        if !policy.allowPrivateAddresses, let bad = addresses.first(where: { !isPublic($0) }) {
            throw APIError(.forbidden, "ForbiddenError", "image host \(host) resolves to a non-public address (\(bad))")
        }
        return first
    }

    func fetch(_ url: URL) async throws -> [UInt8] {
        let address = try check(url)
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        // The URL's host name (as HTTPClient will see it) goes to the checked address, nowhere else.
        if let host = url.host {
            configuration.dnsOverride[host] = address
            configuration.dnsOverride[host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))] = address
        }
        let client = HTTPClient(configuration: configuration)
        let result: Result<[UInt8], any Error>
        do {
            let response = try await client.execute(HTTPClientRequest(url: url.absoluteString), timeout: TimeAmount(policy.fetchTimeout))
            guard (200..<300).contains(response.status.code) else {
                throw APIError.badRequest("image URL \(url.absoluteString) answered HTTP \(response.status.code)")
            }
            do {
                result = .success(Array(buffer: try await response.body.collect(upTo: maxBytes)))
            } catch is NIOTooManyBytesError {
                throw APIError(.contentTooLarge, "PayloadTooLarge", "image at URL is larger than \(maxBytes) bytes")
            }
        } catch let error as APIError {
            result = .failure(error)
        } catch {
            result = .failure(APIError.badRequest("could not fetch image URL \(url.absoluteString): \(error)"))
        }
        try? await client.shutdown()
        return try result.get()
    }
}

/// The numeric addresses a host name resolves to.
func resolve(_ host: String) -> [String] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    #if canImport(Glibc)
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    #else
    hints.ai_socktype = SOCK_STREAM
    #endif
    var result: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
    defer { freeaddrinfo(first) }
    var addresses: [String] = []
    var node: UnsafeMutablePointer<addrinfo>? = first
    while let info = node {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
            addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        node = info.pointee.ai_next
    }
    return addresses
}

/// False for loopback, private (RFC 1918, ULA), link-local, CGNAT, multicast, unspecified and
/// IPv4-mapped forms of those.
func isPublic(_ address: String) -> Bool {
    var a = address.lowercased()
    if let percent = a.firstIndex(of: "%") { a = String(a[..<percent]) }
    if a.hasPrefix("::ffff:") && a.contains(".") { a = String(a.dropFirst(7)) }
    if a.contains(".") {
        let parts = a.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return false }
        switch (parts[0], parts[1]) {
        case (0, _), (10, _), (127, _), (169, 254), (192, 168), (255, _): return false
        case (172, 16...31), (100, 64...127): return false
        case (192, 0) where parts[2] == 0: return false
        case (224...239, _): return false
        default: return true
        }
    }
    if a == "::" || a == "::1" { return false }
    if a.hasPrefix("fe8") || a.hasPrefix("fe9") || a.hasPrefix("fea") || a.hasPrefix("feb") { return false } // fe80::/10
    if a.hasPrefix("fc") || a.hasPrefix("fd") { return false } // fc00::/7
    if a.hasPrefix("ff") { return false } // multicast
    return true
}
