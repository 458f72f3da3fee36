import Crypto
import Foundation
import GRDB
import TriageCore

extension SQLiteHashDatabase {
    /// Imports the videos of one vPDQ file as one transaction, recorded in the import history
    /// like any hash set. A video already held (same frames, category and source) is counted
    /// as already present.
    public func importVideos(_ videos: [KnownVideo], description: ImportDescription, rejected: Int) throws -> ImportRecord {
        do {
            return try queue.write { db in
                let time = Self.now()
                try db.execute(sql: "INSERT INTO imports(time, file_name, file_sha256, format, source) VALUES (?, ?, ?, ?, ?)",
                               arguments: [time, description.fileName, description.fileSHA256, description.format, description.source])
                let importID = db.lastInsertedRowID
                var counts = ImportCounts()
                counts.read = videos.count + rejected
                counts.rejected = rejected
                counts.fileSHA256 = description.fileSHA256
                for video in videos {
                    let packed = VideoFrameHash.pack(video.frames)
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO videos(name, category, source, frames, frame_count, frames_sha256, import_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [video.name, video.category.rawValue, video.source, Data(packed), video.frames.count,
                                         Data(SHA256.hash(data: packed)), importID])
                    if db.changesCount > 0 { counts.added += 1 } else { counts.alreadyPresent += 1 }
                }
                try db.execute(sql: "UPDATE imports SET records_read = ?, added = ?, already_present = ?, rejected = ? WHERE id = ?",
                               arguments: [counts.read, counts.added, counts.alreadyPresent, counts.rejected, importID])
                try Self.storeFingerprint(db)
                return ImportRecord(id: importID, time: time, fileName: description.fileName, format: description.format,
                                    source: description.source, counts: counts, conflicts: [])
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    /// Every known video, in import order (of one category, or all).
    public func knownVideos(category: Category? = nil) throws -> [KnownVideo] {
        do {
            return try queue.read { db in
                guard try db.tableExists("videos") else { return [] }
                let filter = category == nil ? "" : "WHERE category = ?"
                return try Row.fetchAll(db, sql: "SELECT name, category, source, frames FROM videos \(filter) ORDER BY id",
                                        arguments: category.map { [$0.rawValue] } ?? []).map { row in
                    let packed: Data = row["frames"]
                    guard let frames = VideoFrameHash.unpack(Array(packed)) else {
                        throw HashDatabaseError("the frames of known video \(SafeText.display(row["name"] as String)) are damaged")
                    }
                    return KnownVideo(name: row["name"], category: try Self.category(row), source: row["source"], frames: frames)
                }
            }
        } catch {
            throw HashDatabaseError.wrapping(error, path: path)
        }
    }

    public func knownVideoIndex(qualityFloor: Int) throws -> KnownVideoIndex {
        KnownVideoIndex(try knownVideos(), qualityFloor: qualityFloor)
    }
}

extension HashSetImporter {
    /// Imports a vPDQ file (`VPDQFormat`): its videos, with `category`, as one transaction.
    public func importVideos(_ path: String, into database: SQLiteHashDatabase, category: Category?, source: String? = nil) throws -> Outcome {
        guard let category else {
            throw HashDatabaseError("\(path) is a vpdq list, which carries no categories: give --category A|B|C|N", isUsage: true)
        }
        let reader = try ChunkReader(path: path)
        var bytes: [UInt8] = []
        while let chunk = try reader.next() {
            bytes += chunk
            if bytes.count > VPDQFormat.maximumFileSize {
                throw HashDatabaseError("\(path) is larger than \(VPDQFormat.maximumFileSize >> 20) MiB: not a vPDQ list")
            }
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var problems: [ImportProblem] = []
        let videos = VPDQFormat.read(bytes, defaultName: name) { problems.append($0) }
        if videos.isEmpty {
            throw HashDatabaseError("\(path): no vPDQ frame (frame,quality,hash,timestamp) in it\(problems.first.map { "; \($0)" } ?? "")")
        }
        let sourceName = source ?? (path as NSString).lastPathComponent
        var description = ImportDescription(fileName: path, format: VPDQFormat.name, source: sourceName, expectedRecords: videos.count)
        description.fileSHA256 = try reader.finishDigest()
        let record = try database.importVideos(videos.map { KnownVideo(name: $0.name, category: category, source: sourceName, frames: $0.frames) },
                                               description: description, rejected: problems.count)
        return Outcome(record: record, format: VPDQFormat.name, problems: Array(problems.prefix(Self.problemLimit)))
    }
}
