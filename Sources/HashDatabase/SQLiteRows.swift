import GRDB
import GRDBSQLite

extension Database {
    /// Steps through the rows of `sql` with SQLite's C API, handing `body` the statement on each
    /// row: for the bulk paths (millions of rows: conflicts, the fingerprint, an RDSv3 release),
    /// where a GRDB `Row` per row costs more than the work done with it.
    ///
    /// - Parameter purpose: what the rows are read for, for the error ("reading the FILE table").
    func forEachRawRow(_ sql: String, purpose: String, _ body: (_ statement: OpaquePointer) throws -> Void) throws {
        let owner = try makeStatement(sql: sql)  // GRDB finalises the statement when this goes
        let statement = owner.sqliteStatement
        defer {
            sqlite3_reset(statement)
            withExtendedLifetime(owner) {}
        }
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else {
                throw HashDatabaseError("\(purpose): \(String(cString: sqlite3_errmsg(sqliteConnection)))")
            }
            try body(statement)
        }
    }
}

/// Column `index` of the current row as bytes (a blob, or text without its terminator), valid
/// until the statement steps again. The value is asked for before its length, as SQLite's
/// documentation requires.
func columnBytes(_ statement: OpaquePointer, _ index: Int32) -> UnsafeRawBufferPointer {
    let pointer = sqlite3_column_blob(statement, index)
    return UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : Int(sqlite3_column_bytes(statement, index)))
}
