import Foundation
import HashDatabase
import Testing
import TriageCore
import TriageTestSupport

/// NSRL (both editions), EnCase, HashKeeper and ICSE, and what known-good means in the store.
@Suite struct KnownGoodFormatTests {
    let temp = TemporaryDirectory()
    var database: SQLiteHashDatabase { try! SQLiteHashDatabase(path: temp.url("hashdb.sqlite")) }
    let plate = FixtureFile.named("exhibit-1/Documents/plate.tiff")
    let checker = FixtureFile.named("exhibit-1/DCIM/100CAM/IMG_0002.jpg")

    func write(_ name: String, _ text: String) -> String {
        let path = temp.url(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func nsrlFileTxtInBothColumnOrdersIsDetectedAndKnownGood() throws {
        let db = database
        let old = write("NSRLFile.txt", """
            "SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\r
            "\(Hex.encode(plate.sha1).uppercased())","\(Hex.encode(plate.md5).uppercased())","FFFFFFFF","plate, with a comma.tiff",1488,1,"358",""\r
            "NOT-A-DIGEST","","0","x",1,1,"1",""\r

            """)
        let outcome = try HashSetImporter(store: db).importFile(old)
        #expect(outcome.format == "nsrl")
        #expect(outcome.record.counts.added == 1 && outcome.record.counts.rejected == 1)
        #expect(try db.lookup(plate.digests) == .found([
            KnownMatch(category: .n, basis: .knownGood, hashType: .sha1, source: "NSRLFile.txt"),
            KnownMatch(category: .n, basis: .knownGood, hashType: .md5, source: "NSRLFile.txt"),
        ]))
        // A later release with SHA-256 first.
        let newer = write("NSRLFile-2.txt", """
            "SHA-256","SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"
            "\(Hex.encode(checker.sha256))","\(Hex.encode(checker.sha1))","\(Hex.encode(checker.md5))","0","c.jpg",1,1,"1",""

            """)
        #expect(try HashSetImporter(store: db).importFile(newer).format == "nsrl")
        #expect(try db.lookup(checker.digests) == .found([
            KnownMatch(category: .n, basis: .knownGood, hashType: .sha256, source: "NSRLFile-2.txt"),
            KnownMatch(category: .n, basis: .knownGood, hashType: .sha1, source: "NSRLFile-2.txt"),
            KnownMatch(category: .n, basis: .knownGood, hashType: .md5, source: "NSRLFile-2.txt"),
        ]))
        #expect(try db.info().knownGoodEntries == 2)
        // Known-good and a category other than N contradict each other.
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: db).importFile(old, category: .a) }
    }

    /// An RDSv3 release made with Python's sqlite3, as NIST lays it out.
    func rdsv3(_ rows: [(String, String, String)]) -> String {
        let path = temp.url("RDS_2024.03.1_modern_minimal.db")
        let values = rows.map { "('\($0.0)', '\($0.1)', '\($0.2)', '00000000', 'f', 1, 1)" }.joined(separator: ", ")
        let script = """
            import sqlite3
            c = sqlite3.connect('\(path)')
            c.executescript("CREATE TABLE FILE (sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, crc32 VARCHAR NOT NULL, file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL, package_id INTEGER NOT NULL); CREATE TABLE PKG (package_id INTEGER); INSERT INTO FILE VALUES \(values);")
            c.commit()
            """
        try! script.write(toFile: temp.url("rds.py"), atomically: true, encoding: .utf8)
        #expect(shell("python3 \(temp.url("rds.py"))").status == 0)
        return path
    }

    @Test func rdsv3IsReadInPlaceAndKnownGood() throws {
        let db = database
        let path = rdsv3([
            (Hex.encode(plate.sha256).uppercased(), Hex.encode(plate.sha1).uppercased(), Hex.encode(plate.md5).uppercased()),
            (Hex.encode(plate.sha256).uppercased(), Hex.encode(plate.sha1).uppercased(), Hex.encode(plate.md5).uppercased()),  // a second package
            ("zz", "", ""),
        ])
        let before = TestPaths.bytes(path)
        let outcome = try HashSetImporter(store: db).importFile(path)
        #expect(outcome.format == "nsrl-rdsv3")
        #expect(outcome.record.counts.read == 3 && outcome.record.counts.added == 1 && outcome.record.counts.alreadyPresent == 1)
        #expect(outcome.problems.map(\.location) == ["FILE row 3"])
        #expect(try db.lookup(plate.digests) == .found([
            KnownMatch(category: .n, basis: .knownGood, hashType: .sha256, source: "RDS_2024.03.1_modern_minimal.db"),
            KnownMatch(category: .n, basis: .knownGood, hashType: .sha1, source: "RDS_2024.03.1_modern_minimal.db"),
            KnownMatch(category: .n, basis: .knownGood, hashType: .md5, source: "RDS_2024.03.1_modern_minimal.db"),
        ]))
        #expect(TestPaths.bytes(path) == before, "the release is read, never written")
        #expect(try db.info().imports.last?.fileName == path)
    }

    @Test func rdsv3ThatIsNotSQLiteOrNotNSRLIsRefused() throws {
        let db = database
        let text = write("fake.db", "just text\n")
        do {
            _ = try HashSetImporter(store: db).importFile(text, format: "nsrl-rdsv3")
            Issue.record("expected an error")
        } catch let error as HashDatabaseError {
            #expect(error.message.contains("is not a SQLite database"))
        }
        // triage's own hash database is SQLite, but no NSRL release.
        let other = try SQLiteHashDatabase(path: temp.url("other.sqlite"))
        _ = other
        do {
            _ = try HashSetImporter(store: db).importFile(temp.url("other.sqlite"))
            Issue.record("expected an error")
        } catch let error as HashDatabaseError {
            #expect(error.message.contains("has no FILE table"))
        }
        #expect(try db.info().entries == 0)
    }

    func encase(records: [[UInt8]], signature: [UInt8] = [0x48, 0x41, 0x53, 0x48, 0x0D, 0x0A, 0xFF, 0x00], trailing: Int = 0) -> String {
        var bytes = signature + [UInt8](repeating: 0, count: 1152 - signature.count)
        for md5 in records { bytes += md5 + [0, 0] }
        bytes += [UInt8](repeating: 7, count: trailing)
        let path = temp.url("set.hash")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    @Test func encaseHashSetsAreReadFromTheirRecords() throws {
        let db = database
        let path = encase(records: [plate.md5, [UInt8](repeating: 0, count: 16), checker.md5], trailing: 5)
        let outcome = try HashSetImporter(store: db).importFile(path, category: .c)
        #expect(outcome.format == "encase")
        #expect(outcome.record.counts.added == 2 && outcome.record.counts.rejected == 2)
        #expect(outcome.problems.map(\.location) == ["record 2 (byte 1170)", "byte 1206"])
        #expect(try db.lookup(checker.digests) == .found([KnownMatch(category: .c, basis: .exact, hashType: .md5, source: "set.hash")]))
        // As a known-good set instead.
        let good = try SQLiteHashDatabase(path: temp.url("good.sqlite"))
        _ = try HashSetImporter(store: good).importFile(path, knownGood: true)
        #expect(try good.lookup(plate.digests) == .found([KnownMatch(category: .n, basis: .knownGood, hashType: .md5, source: "set.hash")]))
    }

    @Test func encaseWithABadSignatureIsRefused() throws {
        let path = encase(records: [plate.md5], signature: Array("HASX\r\n\u{FF}\0".utf8.prefix(8)))
        do {
            _ = try HashSetImporter(store: database).importFile(path, format: "encase", category: .c)
            Issue.record("expected an error")
        } catch let error as HashDatabaseError {
            #expect(error.message.contains("not an EnCase hash set"))
        }
        let short = write("short.hash", "HASH\r\n")
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: database).importFile(short, format: "encase", category: .c) }
    }

    @Test func hashKeeperIsDetectedAndICSENeedsSemicolons() throws {
        let db = database
        let hsh = write("set.hsh", "\"file_id\",\"hashset_id\",\"file_name\",\"directory\",\"hash\",\"file_size\"\n1,7,\"x.jpg\",\"C:\\\",\"\(Hex.encode(checker.md5))\",1151\n")
        let outcome = try HashSetImporter(store: db).importFile(hsh, category: .b)
        #expect(outcome.format == "hashkeeper" && outcome.record.counts.added == 1)
        let icse = write("icse.csv", "MD5;Category\n\(Hex.encode(plate.md5));2\n")
        #expect(try HashSetImporter(store: db).importFile(icse, format: "icse").record.counts.added == 1)
        #expect(try db.lookup(plate.digests) == .found([KnownMatch(category: .b, basis: .exact, hashType: .md5, source: "icse.csv")]))
        let commas = write("commas.csv", "MD5,Category\n\(Hex.encode(plate.md5)),2\n")
        #expect(throws: HashDatabaseError.self) { try HashSetImporter(store: db).importFile(commas, format: "icse") }
    }

    @Test func knownGoodEntriesNeverEnterThePerceptualIndex() throws {
        let db = database
        let pdq = write("good.pdq", "\(String(repeating: "ab", count: 32)),100\n")
        _ = try HashSetImporter(store: db).importFile(pdq, format: "pdq", knownGood: true)
        #expect(try db.info().knownGoodEntries == 1)
        #expect(try db.perceptualIndex(qualityFloor: 0).count == 0)
    }
}
