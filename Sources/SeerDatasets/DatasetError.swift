/// A problem with a dataset's input or output, said in one line for the user.
public struct DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
