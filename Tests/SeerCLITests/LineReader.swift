import Foundation

/// A child process's output read line by line while it runs, so a test can wait for a line the
/// child prints (an event) instead of polling for its effects.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var read: [String] = []

    init(_ pipe: Pipe) { handle = pipe.fileHandleForReading }

    /// The next whole line (the last one may lack its newline), or nil at end of file. Blocks
    /// until the child writes or closes the pipe.
    func nextLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                read.append(line)
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty {
                guard !buffer.isEmpty else { return nil }
                let line = String(decoding: buffer, as: UTF8.self)
                buffer.removeAll()
                read.append(line)
                return line
            }
            buffer.append(chunk)
        }
    }

    /// Everything the child wrote, the lines already returned included, once it closes the pipe.
    func readToEnd() -> String {
        while nextLine() != nil {}
        return read.joined(separator: "\n")
    }
}
