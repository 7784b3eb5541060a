import Foundation

@testable import Transformer

enum JSONEncoderShim {
    static func encode(_ configuration: EncoderConfiguration) throws -> [UInt8] {
        Array(try JSONEncoder().encode(configuration))
    }
}
