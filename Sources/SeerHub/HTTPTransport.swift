import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange over URLSession that never follows redirects (the caller does, so it sees the
/// Hub's headers on the redirect itself and keeps its token off other hosts). A successful (2xx)
/// body can be streamed to `sink` instead of being collected in memory.
enum HTTPTransport {
    typealias Sink = (_ status: Int, _ data: Data) throws -> Void

    static func send(_ request: URLRequest, sink: Sink? = nil) async throws -> (HTTPURLResponse, Data) {
        let exchange = Exchange(sink: sink)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: exchange, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                exchange.start(continuation)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }
}

/// The URLSession delegate of one request. URLSession calls it on a serial queue; the lock only
/// guards the hand-over of the continuation.
private final class Exchange: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let sink: HTTPTransport.Sink?
    private let lock = NSLock()
    private var continuation: CheckedContinuation<(HTTPURLResponse, Data), Error>?
    private var response: HTTPURLResponse?
    private var body = Data()
    private var sinkError: Error?

    init(sink: HTTPTransport.Sink?) { self.sink = sink }

    func start(_ continuation: CheckedContinuation<(HTTPURLResponse, Data), Error>) {
        lock.withLock { self.continuation = continuation }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        self.response = response as? HTTPURLResponse
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard sinkError == nil else { return }
        if let sink, let status = response?.statusCode, (200..<300).contains(status) {
            do { try sink(status, data) } catch {
                sinkError = error
                dataTask.cancel()
            }
        } else {
            body.append(data)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let continuation = lock.withLock { () -> CheckedContinuation<(HTTPURLResponse, Data), Error>? in
            defer { self.continuation = nil }
            return self.continuation
        }
        if let sinkError {
            continuation?.resume(throwing: sinkError)
        } else if let error {
            continuation?.resume(throwing: error)
        } else if let response = response ?? task.response as? HTTPURLResponse {
            continuation?.resume(returning: (response, body))
        } else {
            continuation?.resume(throwing: URLError(.badServerResponse))
        }
    }
}

extension HTTPURLResponse {
    func header(_ name: String) -> String? {
        // Header names are case-insensitive; URLSession keeps the server's spelling.
        for (key, value) in allHeaderFields {
            if let key = key as? String, key.caseInsensitiveCompare(name) == .orderedSame { return value as? String }
        }
        return nil
    }
}
