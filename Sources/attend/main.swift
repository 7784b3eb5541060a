import AttendService
print("attend")
