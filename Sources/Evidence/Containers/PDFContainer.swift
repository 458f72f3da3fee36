import CQPDF
import Glibc
import TriageCore

/// PDF documents through qpdf's C API: every image stream whose last filter is `/DCTDecode`
/// (JPEG) or `/JPXDecode` (JPEG 2000) is a member, named by its object number
/// (`scan.pdf!/object-12.jpg`). Walking objects rather than pages finds each embedded image
/// once, however many pages draw it, and also images no page uses any more (left behind by an
/// incremental update).
public struct PDFContainer: ContainerFormat {
    public let name = "pdf"
    public let mimeTypes: Set<String> = ["application/pdf"]
    /// qpdf reads a PDF from memory.
    public let readsFromMemory = true

    public static let shared = PDFContainer()

    public func open(_ source: ContainerSource, name: [UInt8]) throws -> any ContainerReader {
        guard case .memory(let block) = source else {
            throw ContainerError(.damaged, "qpdf reads PDFs from memory; this one was not loaded")
        }
        return try PDFReader(block)
    }

    /// "qpdf 11.3.0".
    static var libraryVersion: String { "qpdf " + String(cString: qpdf_get_qpdf_version()) }
}

/// One `qpdf_data` (`qpdf_init` … `qpdf_cleanup`). All raw qpdf calls live in this file.
final class PDFReader: ContainerReader {
    private var qpdf: qpdf_data?
    /// Keeps the PDF's bytes alive: qpdf reads them in place.
    private let block: MemoryBlock
    private var nextObject: Int32 = 1
    private var objectLimit: Int32 = 0
    /// The current member's data (malloc'ed by qpdf) and how much of it has been read.
    private var data: UnsafeMutablePointer<UInt8>?
    private var dataLength = 0
    private var dataRead = 0

    let skipsCheaply = true
    let damage: String? = nil

    init(_ block: MemoryBlock) throws {
        self.block = block
        qpdf = qpdf_init()
        qpdf_silence_errors(qpdf)
        qpdf_set_suppress_warnings(qpdf, QPDF_TRUE)
        // An empty user password opens PDFs that are encrypted only against editing.
        guard qpdf_read_memory(qpdf, "evidence", block.bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                               UInt64(block.count), "") & QPDF_ERRORS == 0 else {
            throw lastError()
        }
        // The trailer's /Size is one more than the highest object number.
        let size = qpdf_oh_get_key(qpdf, qpdf_get_trailer(qpdf), "/Size")
        guard qpdf_oh_is_integer(qpdf, size) == QPDF_TRUE else { throw ContainerError(.damaged, "qpdf: the trailer has no /Size") }
        // /Size comes from the evidence: no more object numbers are tried than the file has bytes
        // (each object takes many), so a 150-byte PDF cannot ask for two billion lookups.
        objectLimit = Int32(clamping: min(qpdf_oh_get_int_value(qpdf, size), Int64(block.count)))
        qpdf_oh_release_all(qpdf)
    }

    deinit {
        free(data)
        qpdf_cleanup(&qpdf)
    }

    func nextMember() throws -> ContainerMember? {
        free(data)
        data = nil
        while nextObject < objectLimit {
            let id = nextObject
            nextObject += 1
            let suffix = imageSuffix(qpdf_get_object_by_id(qpdf, id, 0))
            qpdf_oh_release_all(qpdf)  // every handle looked at, so memory does not grow with the objects
            guard let suffix else { continue }
            var buffer: UnsafeMutablePointer<UInt8>?
            var length = 0
            // Raw stream data: general filters (Flate) are not undone, so a JPEG stream is the
            // JPEG file exactly as embedded.
            let stream = qpdf_get_object_by_id(qpdf, id, 0)
            guard qpdf_oh_get_stream_data(qpdf, stream, qpdf_dl_none, nil, &buffer, &length) & QPDF_ERRORS == 0 else {
                throw lastError()
            }
            qpdf_oh_release_all(qpdf)
            data = buffer
            dataLength = length
            dataRead = 0
            return ContainerMember(name: Array("object-\(id).\(suffix)".utf8), kind: .regularFile, declaredSize: Int64(length))
        }
        return nil
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let data else { return 0 }
        let count = min(buffer.count, dataLength - dataRead)
        buffer.baseAddress!.copyMemory(from: data + dataRead, byteCount: count)
        dataRead += count
        return count
    }

    /// "jpg" or "jp2" for an image stream whose last (outermost-decoded) filter is DCT or JPX.
    private func imageSuffix(_ object: qpdf_oh) -> String? {
        guard qpdf_oh_is_stream(qpdf, object) == QPDF_TRUE else { return nil }
        let dictionary = qpdf_oh_get_dict(qpdf, object)
        guard qpdf_oh_is_name_and_equals(qpdf, qpdf_oh_get_key(qpdf, dictionary, "/Subtype"), "/Image") == QPDF_TRUE else { return nil }
        var filter = qpdf_oh_get_key(qpdf, dictionary, "/Filter")
        if qpdf_oh_is_array(qpdf, filter) == QPDF_TRUE {
            let count = qpdf_oh_get_array_n_items(qpdf, filter)
            guard count > 0 else { return nil }
            filter = qpdf_oh_get_array_item(qpdf, filter, count - 1)
        }
        if qpdf_oh_is_name_and_equals(qpdf, filter, "/DCTDecode") == QPDF_TRUE { return "jpg" }
        if qpdf_oh_is_name_and_equals(qpdf, filter, "/JPXDecode") == QPDF_TRUE { return "jp2" }
        return nil
    }

    /// qpdf's last error as a `ContainerError` (a wrong password is `encrypted`).
    private func lastError() -> ContainerError {
        guard qpdf_has_error(qpdf) == QPDF_TRUE, let error = qpdf_get_error(qpdf) else {
            return ContainerError(.damaged, "qpdf failed without a message")
        }
        let message = SafeText.display(String(cString: qpdf_get_error_full_text(qpdf, error)))
        return ContainerError(qpdf_get_error_code(qpdf, error) == qpdf_e_password ? .encrypted : .damaged, "qpdf: " + message)
    }
}
