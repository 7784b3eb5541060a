import Testing
@testable import AttendService
