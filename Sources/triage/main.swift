import ArgumentParser
import Foundation

// Exit status (DESIGN.md): 0 success, 1 finished but some items failed, 2 usage or setup error.
// ArgumentParser's own default for usage errors is 64, so errors are mapped here.
do {
    var command = try Triage.parseAsRoot()
    try command.run()
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch {
    let code = Triage.exitCode(for: error)
    let message = Triage.fullMessage(for: error)
    if code == .success {
        print(message)
        Foundation.exit(0)
    }
    FileHandle.standardError.write(Data(("triage: " + message + "\n").utf8))
    Foundation.exit(2)
}
