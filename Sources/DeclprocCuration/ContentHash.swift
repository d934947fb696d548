import CCrypto
import DeclprocCollections
import Foundation

/// SHA-256 of a file's content (OpenSSL), streamed: the identity `--resume` checks
/// before skipping an input it has already committed.
public enum ContentHash {
    public static func sha256(bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](filledWith: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_sha256(), nil) }
        precondition(ok == 1, "OpenSSL's SHA-256 failed")
        return Array(digest.prefix(Int(length)))
    }

    public static func sha256(file path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path), let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context); try? handle.close() }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { return nil }
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch { return nil }
            // nil or empty: the end of the file.
            guard let chunk, !chunk.isEmpty else { break }
            let ok = chunk.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
            guard ok == 1 else { return nil }
        }
        var digest = [UInt8](filledWith: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else { return nil }
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
